import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PackageURL } from 'packageurl-js';
import { gemPurl, golangPurl, mavenPurl, npmPurl } from '../../server/src/core/purl';
import { detectFormat, parseLockfile } from '../../server/src/parsers';
import { sharedPath } from '../helpers/shared';

// The purl helpers join plain components themselves, for speed; whatever they write must be
// exactly what packageurl-js writes for the same components.

const NAMES = ['a', 'left-pad', 'Upper', '@scope/x', '@Scope/y', 'a.b_c~d', 'sp ace', 'ü', '%41', 'x/y', 'q?r', 'h#i'];
const VERSIONS = ['1.0.0', 'v1.2.3', 'v2.0.0+incompatible', '1.0.0-rc.1', '1:2', 'a b', 'v0.0.0-20200804184101-5ec99f83aff1'];

function reference(type: string, namespace: string | undefined, name: string, version: string, q?: Record<string, string>): string {
  return new PackageURL(type, namespace, name, version, q && Object.keys(q).length ? q : undefined, undefined).toString();
}

test('npm, golang, gem and maven purls equal packageurl-js for odd and plain components', () => {
  for (const n of NAMES) {
    for (const v of VERSIONS) {
      const at = n.startsWith('@') ? n.indexOf('/') : -1;
      assert.equal(npmPurl(n, v), reference('npm', at > 0 ? n.slice(0, at) : undefined, at > 0 ? n.slice(at + 1) : n, v), `npm ${n} ${v}`);
      const mod = `github.com/org/${n}`;
      const slash = mod.lastIndexOf('/');
      assert.equal(golangPurl(mod, v), reference('golang', mod.slice(0, slash), mod.slice(slash + 1), v), `golang ${mod} ${v}`);
      assert.equal(gemPurl(n, v), reference('gem', undefined, n, v), `gem ${n} ${v}`);
      assert.equal(gemPurl(n, v, 'x86_64-linux'), reference('gem', undefined, n, v, { platform: 'x86_64-linux' }), `gem ${n} ${v} platform`);
      assert.equal(mavenPurl('org.example', n, v), reference('maven', 'org.example', n, v), `maven ${n} ${v}`);
      assert.equal(mavenPurl('org.example', n, v, 'sources', 'test-jar'), reference('maven', 'org.example', n, v, { classifier: 'sources', type: 'test-jar' }));
    }
  }
});

test('every purl of the shared corpus and bench files parses back to itself', () => {
  let count = 0;
  for (const dir of [sharedPath('corpus'), sharedPath('bench')]) {
    for (const eco of fs.readdirSync(dir)) {
      const folder = path.join(dir, eco);
      if (!fs.statSync(folder).isDirectory()) continue;
      for (const f of fs.readdirSync(folder)) {
        const file = path.join(folder, f);
        const text = fs.readFileSync(file, 'utf8');
        const format = detectFormat(file, text);
        if (!format) continue;
        for (const d of parseLockfile(format, text, { path: file }).dependencies) {
          if (!d.purl) continue;
          assert.equal(PackageURL.fromString(d.purl).toString(), d.purl);
          count++;
        }
      }
    }
  }
  assert.ok(count > 5000, `${count} purls checked`);
});
