// Reference readers for the line formats: split the text into lines, cut each line into its
// fields with indexOf, and build one entry object (name, version, purl, checksum, range) per
// pinned line, with no check of any kind. No real parser can do less and still hand the editor
// an entry per line, so they show how much of deptrust's time is the output itself and how much
// is reading with care (versions, hashes, order, problems). They are printed beside the floor,
// never taken as a target, and never used outside the benchmark.

interface ReferenceEntry {
  name: string;
  version: string;
  purl: string;
  checksum: string | null;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

function range(line: number, length: number): ReferenceEntry['range'] {
  return { start: { line, character: 0 }, end: { line, character: length } };
}

/** go.sum: `module version[/go.mod] hash` on every line. */
export function referenceGoSum(text: string): ReferenceEntry[] {
  const out: ReferenceEntry[] = [];
  for (let start = 0, line = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const a = text.indexOf(' ', start);
    const b = text.indexOf(' ', a + 1);
    if (a > start && b > a && b < end) {
      const name = text.slice(start, a);
      const version = text.slice(a + 1, b);
      out.push({
        name,
        version,
        purl: `pkg:golang/${name}@${version}`,
        checksum: text.slice(b + 1, end),
        range: range(line, end - start),
      });
    }
    start = end + 1;
  }
  return out;
}

/** Gemfile.lock: every `    name (version)` spec line, four spaces in. */
export function referenceGemfileLock(text: string): ReferenceEntry[] {
  const out: ReferenceEntry[] = [];
  for (let start = 0, line = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.startsWith('    ', start) && text.charCodeAt(start + 4) !== 0x20) {
      const open = text.indexOf(' (', start + 4);
      if (open > 0 && open < end) {
        const name = text.slice(start + 4, open);
        const version = text.slice(open + 2, end - 1);
        out.push({
          name,
          version,
          purl: `pkg:gem/${name}@${version}`,
          checksum: null,
          range: range(line, end - start),
        });
      }
    }
    start = end + 1;
  }
  return out;
}
