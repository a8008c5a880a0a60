// Byte-level mutations of real lockfiles, as fast-check arbitraries, so that a failure shrinks
// to the fewest and smallest changes that still break a parser.
import fc from 'fast-check';
import type { LockfileFormat } from '../../server/src/core/types';

export interface Mutation {
  label: string;
  apply(bytes: Uint8Array): Uint8Array;
}

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A position as a fraction of the length, so one mutation fits inputs of any size. */
const where = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const at = (bytes: Uint8Array, f: number) => Math.floor(f * (bytes.length + 1));

/** Splits bytes into lines keeping each line's `\n`. */
function lines(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(from, i + 1));
      from = i + 1;
    }
  }
  if (from < bytes.length) out.push(bytes.subarray(from));
  return out;
}

/** Byte sequences that are not valid UTF-8 (RFC 3629 section 3 and 10). */
const INVALID_UTF8 = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf, 0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf0, 0x9f, 0x98],
  [0xc3],
].map((b) => new Uint8Array(b));

/** Characters that have broken parsers elsewhere: controls, separators, bidi, astral. */
const TRICKY = [
  '\u0000',
  '\u001b[31m',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u0085',
  '\ufeff',
  '\ud83d\ude00',
  '\t',
  '\r',
  '\\',
  '"',
  '<',
  '&',
  ']]>',
  '\u00e9',
  '%00',
  '../',
  '@',
  '#',
  '?',
  ':',
];

/** Per-format text that opens nesting, for deep-nesting mutations. */
const NEST: Record<LockfileFormat, [string, string]> = {
  'package-lock': ['[', ']'],
  'go-sum': [' ', ''],
  'gemfile-lock': ['  ', ''],
  pom: ['<a>', '</a>'],
};

/** Shows a mutation by its label in fast-check's counterexamples. */
function named(m: Mutation): Mutation {
  return Object.assign(m, { [fc.toStringMethod]: () => m.label });
}

function mutations(format: LockfileFormat): fc.Arbitrary<Mutation> {
  return rawMutations(format).map(named);
}

function rawMutations(format: LockfileFormat): fc.Arbitrary<Mutation> {
  const [open, close] = NEST[format];
  return fc.oneof(
    fc.tuple(where, fc.integer({ min: 0, max: 255 })).map(([f, b]) => ({
      label: `set byte @${f.toFixed(3)} to ${b}`,
      apply: (x: Uint8Array) => {
        const y = x.slice();
        const i = Math.min(at(x, f), y.length - 1);
        if (i >= 0) y[i] = b;
        return y;
      },
    })),
    fc.tuple(where, fc.integer({ min: 0, max: 7 })).map(([f, bit]) => ({
      label: `flip bit ${bit} @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => {
        const y = x.slice();
        const i = Math.min(at(x, f), y.length - 1);
        if (i >= 0) y[i] ^= 1 << bit;
        return y;
      },
    })),
    where.map((f) => ({
      label: `truncate @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => x.subarray(0, at(x, f)),
    })),
    fc.tuple(where, fc.integer({ min: 1, max: 64 })).map(([f, n]) => ({
      label: `delete ${n} bytes @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => concat(x.subarray(0, at(x, f)), x.subarray(at(x, f) + n)),
    })),
    fc.tuple(where, fc.integer({ min: 1, max: 3 })).map(([f, n]) => ({
      label: `delete ${n} lines @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => {
        const ls = lines(x);
        const i = Math.floor(f * ls.length);
        return concat(...ls.slice(0, i), ...ls.slice(i + n));
      },
    })),
    fc.tuple(where, fc.integer({ min: 1, max: 20 })).map(([f, n]) => ({
      label: `duplicate a line ${n}x @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => {
        const ls = lines(x);
        const i = Math.floor(f * ls.length);
        if (ls.length === 0) return x;
        return concat(...ls.slice(0, i + 1), ...Array(n).fill(ls[i]), ...ls.slice(i + 1));
      },
    })),
    fc.tuple(where, where).map(([f, g]) => ({
      label: `swap lines @${f.toFixed(3)} and @${g.toFixed(3)}`,
      apply: (x: Uint8Array) => {
        const ls = lines(x);
        const i = Math.floor(f * ls.length);
        const j = Math.floor(g * ls.length);
        if (ls.length === 0) return x;
        [ls[i], ls[j]] = [ls[j], ls[i]];
        return concat(...ls);
      },
    })),
    fc.tuple(where, fc.constantFrom(...INVALID_UTF8)).map(([f, bad]) => ({
      label: `insert invalid UTF-8 ${Buffer.from(bad).toString('hex')} @${f.toFixed(3)}`,
      apply: (x: Uint8Array) => concat(x.subarray(0, at(x, f)), bad, x.subarray(at(x, f))),
    })),
    fc
      .tuple(where, fc.constantFrom(...TRICKY), fc.integer({ min: 1, max: 3 }))
      .map(([f, s, n]) => ({
        label: `insert ${JSON.stringify(s)} x${n} @${f.toFixed(3)}`,
        apply: (x: Uint8Array) =>
          concat(x.subarray(0, at(x, f)), enc.encode(s.repeat(n)), x.subarray(at(x, f))),
      })),
    fc.tuple(where, fc.string({ unit: 'binary', maxLength: 12 })).map(([f, s]) => ({
      label: `insert ${JSON.stringify(s)} @${f.toFixed(3)}`,
      apply: (x: Uint8Array) =>
        concat(x.subarray(0, at(x, f)), enc.encode(s), x.subarray(at(x, f))),
    })),
    fc
      .tuple(
        where,
        fc.constantFrom('a', '9', ' ', '"', '\\u0041', '\u00e9'),
        fc.integer({ min: 1000, max: 100_000 }),
      )
      .map(([f, s, n]) => ({
        label: `insert a huge value (${JSON.stringify(s)} x${n}) @${f.toFixed(3)}`,
        apply: (x: Uint8Array) =>
          concat(x.subarray(0, at(x, f)), enc.encode(s.repeat(n)), x.subarray(at(x, f))),
      })),
    fc.tuple(where, fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([f, n, closed]) => ({
      label: `nest ${n} deep${closed ? ', closed' : ''} @${f.toFixed(3)}`,
      apply: (x: Uint8Array) =>
        concat(
          x.subarray(0, at(x, f)),
          enc.encode(open.repeat(n) + (closed ? close.repeat(n) : '')),
          x.subarray(at(x, f)),
        ),
    })),
    fc.constantFrom<Mutation>(
      { label: 'line ends to CRLF', apply: (x) => replaceLineEnds(x, () => '\r\n') },
      { label: 'line ends to CR', apply: (x) => replaceLineEnds(x, () => '\r') },
      {
        label: 'UTF-8 byte order mark',
        apply: (x) => concat(new Uint8Array([0xef, 0xbb, 0xbf]), x),
      },
      {
        label: 'doubled byte order mark',
        apply: (x) => concat(new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), x),
      },
      { label: 'UTF-16LE with BOM', apply: (x) => toUtf16(x, 'le', true) },
      { label: 'UTF-16BE with BOM', apply: (x) => toUtf16(x, 'be', true) },
      { label: 'UTF-16LE without BOM', apply: (x) => toUtf16(x, 'le', false) },
      { label: 'UTF-16BE without BOM', apply: (x) => toUtf16(x, 'be', false) },
      {
        label: 'odd byte dropped',
        apply: (x) => x.subarray(0, x.length - (x.length % 2 === 0 ? 1 : 0)),
      },
    ),
    fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 8 }).map((ends) => ({
      label: `mixed line ends ${JSON.stringify(ends.join(''))}`,
      apply: (x: Uint8Array) => {
        let k = 0;
        return replaceLineEnds(x, () => ends[k++ % ends.length]);
      },
    })),
  );
}

function replaceLineEnds(x: Uint8Array, next: () => string): Uint8Array {
  const text = Buffer.from(x).toString('latin1');
  return new Uint8Array(
    Buffer.from(
      text.replace(/\r\n|\n/g, () => next()),
      'latin1',
    ),
  );
}

function toUtf16(x: Uint8Array, order: 'le' | 'be', bom: boolean): Uint8Array {
  const le = Buffer.from(Buffer.from(x).toString('utf8'), 'utf16le');
  const body = order === 'le' ? le : le.swap16();
  const mark = order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return concat(bom ? new Uint8Array(mark) : new Uint8Array(), body);
}

/** One to four mutations, applied in order. */
export function mutationChain(format: LockfileFormat): fc.Arbitrary<Mutation[]> {
  return fc.array(mutations(format), { minLength: 1, maxLength: 4 });
}

export function applyAll(bytes: Uint8Array, chain: Mutation[]): Uint8Array {
  return chain.reduce((b, m) => m.apply(b), bytes);
}
