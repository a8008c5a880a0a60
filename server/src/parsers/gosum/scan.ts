/*
 * Character tests for the common go.sum line, on the text in place (no slice, no regular
 * expression). Each one accepts exactly what the regular expression named in its comment
 * accepts, so a line read this way gives the same dependency as the general reader.
 */

/** base64 alphabet (RFC 4648 section 4): letters, digits, `+` and `/`. */
const BASE64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  BASE64[c.charCodeAt(0)] = 1;
}

/** Letters, digits, `.` and `-`: the characters of a pre-release or build suffix. */
const SUFFIX_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-') {
  SUFFIX_CHAR[c.charCodeAt(0)] = 1;
}

const DOT = 0x2e;
const DASH = 0x2d;
const PLUS = 0x2b;
const EQUALS = 0x3d;

/** Whether the 47 characters at `from` are `h1:`, 43 base64 characters and `=`. */
export function isBase64H1Hash(text: string, from: number): boolean {
  if (text.charCodeAt(from) !== 0x68 || text.charCodeAt(from + 1) !== 0x31
    || text.charCodeAt(from + 2) !== 0x3a || text.charCodeAt(from + 46) !== EQUALS) {
    return false;
  }
  for (let i = from + 3; i < from + 46; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || BASE64[c] === 0) return false;
  }
  return true;
}

/** Offset past the digits at `from`, or -1 when there are none. */
function skipDigits(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i > from ? i : -1;
}

/** Offset past the suffix characters at `from`, or -1 when there are none. */
function skipSuffix(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c >= 128 || SUFFIX_CHAR[c] === 0) break;
    i++;
  }
  return i > from ? i : -1;
}

/**
 * Whether text[from, to) is `v<n>.<n>.<n>`, then optionally `-<suffix>`, then optionally
 * `+<suffix>`: `^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`.
 */
export function isCanonicalVersion(text: string, from: number, to: number): boolean {
  if (from >= to || text.charCodeAt(from) !== 0x76) return false;

  let i = skipDigits(text, from + 1, to);
  if (i < 0 || i >= to || text.charCodeAt(i) !== DOT) return false;
  i = skipDigits(text, i + 1, to);
  if (i < 0 || i >= to || text.charCodeAt(i) !== DOT) return false;
  i = skipDigits(text, i + 1, to);
  if (i < 0) return false;

  if (i < to && text.charCodeAt(i) === DASH) {
    i = skipSuffix(text, i + 1, to);
    if (i < 0) return false;
  }
  if (i < to && text.charCodeAt(i) === PLUS) {
    i = skipSuffix(text, i + 1, to);
    if (i < 0) return false;
  }
  return i === to;
}

/** Offset of the end of the identifier at `from` in a pre-release: the next `.` or `to`. */
function identifierEnd(text: string, from: number, to: number): number {
  const dot = text.indexOf('.', from);
  return dot < 0 || dot > to ? to : dot;
}

function isNumeric(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Compares a[af, at) with b[bf, bt): as numbers (shorter first, then digit by digit) or as ASCII
 * text (section 11.4.1 and 11.4.2).
 */
function compareText(a: string, af: number, at: number, b: string, bf: number, bt: number,
  numeric: boolean): number {
  if (numeric && at - af !== bt - bf) return at - af - (bt - bf);
  for (let i = af, j = bf; i < at && j < bt; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d;
  }
  return at - af - (bt - bf);
}

/**
 * Whether version `a` has a strictly lower precedence than `b` (Semantic Versioning 2.0.0,
 * section 11), the order in which the go command sorts a module's versions in go.sum. Both must
 * be canonical versions (`isCanonicalVersion`); false when the two have equal precedence.
 * Versions semver does not accept (a leading zero, an empty identifier) are still ordered
 * consistently: numbers by length, then digits.
 */
export function precedes(a: string, b: string): boolean {
  let i = 1;
  let j = 1;
  for (let part = 0; part < 3; part++) {
    const ie = skipDigits(a, i, a.length);
    const je = skipDigits(b, j, b.length);
    const order = compareText(a, i, ie, b, j, je, true);
    if (order !== 0) return order < 0;
    i = ie + 1;
    j = je + 1;
  }

  // Section 11.3: a pre-release comes before its release; build metadata is not compared.
  const aRelease = a.charCodeAt(i - 1) !== DASH;
  const bRelease = b.charCodeAt(j - 1) !== DASH;
  if (aRelease || bRelease) return !aRelease && bRelease;

  // Section 11.4: identifier by identifier, numbers before words, fewer identifiers first.
  const aEnd = a.indexOf('+', i) < 0 ? a.length : a.indexOf('+', i);
  const bEnd = b.indexOf('+', j) < 0 ? b.length : b.indexOf('+', j);
  for (;;) {
    const ie = identifierEnd(a, i, aEnd);
    const je = identifierEnd(b, j, bEnd);
    const aNumber = isNumeric(a, i, ie);
    const bNumber = isNumeric(b, j, je);
    if (aNumber !== bNumber) return aNumber;
    const order = compareText(a, i, ie, b, j, je, aNumber);
    if (order !== 0) return order < 0;
    if (ie === aEnd || je === bEnd) return ie === aEnd && je !== bEnd;
    i = ie + 1;
    j = je + 1;
  }
}
