import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Range } from '../../server/src/core/types';

/**
 * The shared data folder (real lockfiles from public repositories) sits beside the checkout.
 * Tests read it in place; when it is missing they fail with this message instead of passing.
 */
export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');

export function sharedPath(...parts: string[]): string {
  const p = path.join(SHARED, ...parts);
  if (!fs.existsSync(p)) {
    throw new Error(`shared test data missing: ${p} (the suite needs ../shared beside the checkout)`);
  }
  return p;
}

export interface ManifestEntry {
  name: string;
  /** null where the manifest writes `∅` (no version). */
  version: string | null;
  extras: Record<string, string>;
  /** LSP range (0-based, UTF-16), converted from the manifest's 1-based columns. */
  range: Range;
}

export interface ManifestFile {
  /** Path relative to corpus/, e.g. `npm/scalibr__alias.v1.json`. */
  file: string;
  entries: ManifestEntry[];
  /** Set where the manifest gives only a count ("869 entries (too many to list)"). */
  count?: number;
}

const ENTRY = /^ {2}- `(.+)@([^@`]*)` +(?:\[(.*)\] +)?`L(\d+):(\d+)–L(\d+):(\d+)`\s*$/;

/**
 * Reads corpus/MANIFEST.md: for each file, the reference extraction an editor should report.
 * Columns in the manifest count characters; every corpus file is ASCII there, so they equal
 * UTF-16 units.
 */
export function readManifest(): ManifestFile[] {
  const text = fs.readFileSync(sharedPath('corpus', 'MANIFEST.md'), 'utf8');
  const files: ManifestFile[] = [];
  let current: ManifestFile | undefined;
  let inReference = false;
  for (const line of text.split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) {
      current = { file: heading[1], entries: [] };
      files.push(current);
      inReference = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('- Reference extraction')) {
      inReference = true;
      const count = /Reference extraction: (\d+) entries/.exec(line);
      if (count) current.count = Number(count[1]);
      continue;
    }
    if (line.startsWith('- ')) inReference = false;
    if (!inReference) continue;
    const m = ENTRY.exec(line);
    if (!m) continue;
    const extras: Record<string, string> = {};
    for (const part of (m[3] ?? '').split('; ')) {
      const eq = part.indexOf('=');
      if (eq > 0) extras[part.slice(0, eq)] = part.slice(eq + 1);
    }
    current.entries.push({
      name: m[1],
      version: m[2] === '∅' || m[2] === '' ? null : m[2],
      extras,
      range: {
        start: { line: Number(m[4]) - 1, character: Number(m[5]) - 1 },
        end: { line: Number(m[6]) - 1, character: Number(m[7]) - 1 },
      },
    });
  }
  return files;
}
