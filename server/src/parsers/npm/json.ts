import { createScanner } from 'jsonc-parser';

/**
 * Deepest nesting of objects and arrays a lockfile may have. A lockfile v1 nests two levels per
 * node_modules level, and real trees stay far below this; the bound keeps the recursive JSON
 * parser from exhausting the stack on hostile input.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * A JSON value with its offsets in the text. Objects the caller did not ask to expand are
 * shallow: they carry their type and extent but no children.
 */
export interface JsonNode {
  type: 'object' | 'array' | 'property' | 'string' | 'number' | 'boolean' | 'null';
  offset: number;
  length: number;
  value?: unknown;
  /** Members of an expanded object; for a property, its key and (when present) its value. */
  children?: JsonNode[];
  /** Objects and arrays: whether the closing bracket was found. */
  closed?: boolean;
}

/** A syntax error in the lockfile's JSON, at an offset of the text. */
export interface JsonSyntaxError {
  code: 'JSON_SYNTAX' | 'JSON_TOO_DEEP';
  offset: number;
  length: number;
  /** What was expected, in words: "`,` or `}` to close the object". */
  expected: string;
}

export interface JsonDocument {
  root: JsonNode | undefined;
  /** The first syntax error; members that end after its offset are incomplete. */
  error: JsonSyntaxError | undefined;
}

/**
 * Decides whether the object at a path of property names is built with its members. The root
 * object so far is passed along, so that a decision can depend on what came before.
 */
export type ExpandPolicy = (keys: readonly string[], root: JsonNode) => boolean;

// jsonc-parser's ParseErrorCode, by value: the enum is `const` and cannot be read at run time.
const EXPECTED: Record<number, string> = {
  1: 'a JSON value (found a symbol that is not JSON)',
  2: 'a number in JSON format',
  3: 'a property name in double quotes',
  4: 'a value',
  5: '`:` after the property name',
  6: '`,` between members',
  7: '`,` or `}` to close the object',
  8: '`,` or `]` to close the array',
  9: 'the end of the file after the top-level value',
  10: 'JSON without comments (comments are not allowed in a lockfile)',
  11: 'the end of the comment',
  12: 'a closing `"` of the string',
  13: 'digits to finish the number',
  14: 'a valid `\\u` escape',
  15: 'a valid escape character after `\\`',
  16: 'a character allowed in a string (control characters must be escaped)',
};

function isTrailingComma(text: string, offset: number): boolean {
  const c = text[offset];
  if (c !== '}' && c !== ']') return false;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',';
}

function describe(text: string, code: number, offset: number): string {
  if ((code === 3 || code === 4) && isTrailingComma(text, offset)) {
    return 'another member after `,` (trailing commas are not allowed in JSON)';
  }
  if (offset >= text.trimEnd().length && code !== 9) {
    return `${EXPECTED[code] ?? 'valid JSON'}, found the end of the file`;
  }
  return EXPECTED[code] ?? 'valid JSON';
}

// Token kinds of jsonc-parser's scanner (its `SyntaxKind`, a const enum).
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const NULL = 7;
const TRUE = 8;
const FALSE = 9;
const STRING = 10;
const NUMBER = 11;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const WHITESPACE = 15;
const EOF = 17;

// The scanner's `ScanError` values, as the matching codes of the EXPECTED table.
const SCAN_ERROR: Record<number, number> = { 1: 11, 2: 12, 3: 13, 4: 14, 5: 15, 6: 16 };

interface Frame {
  /** The container; undefined inside a shallow container, whose members are only checked. */
  node: JsonNode | undefined;
  array: boolean;
  /** Whether members get nodes. */
  expanded: boolean;
  /** Property names from the root to this object, for expanded objects. */
  keys: string[];
  /** The member whose value comes next (expanded objects). */
  property: JsonNode | undefined;
}

class Stop extends Error {}

/**
 * Parses strict JSON (no comments, no trailing commas) into a tree with offsets, expanding only
 * the objects `expand` asks for; arrays are never expanded, but every part of the text is
 * checked. Stops at the first error, so members after it are missing or not closed. Never throws.
 * Iterative, with at most MAX_JSON_DEPTH open containers. A byte order mark is read as
 * whitespace so that offsets stay those of the given text.
 */
export function parseJson(text: string, expand: ExpandPolicy): JsonDocument {
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  const scanner = createScanner(source, false);
  const stack: Frame[] = [];
  let root: JsonNode | undefined;
  let error: JsonSyntaxError | undefined;

  const fail = (code: number): never => {
    const offset = scanner.getTokenOffset();
    const length = Math.max(scanner.getTokenLength(), 1);
    error = { code: 'JSON_SYNTAX', offset, length, expected: describe(source, code, offset) };
    throw new Stop();
  };

  const next = (): number => {
    for (;;) {
      const token = scanner.scan();
      if (token === WHITESPACE || token === LINE_BREAK) continue;
      const scanError = scanner.getTokenError();
      if (scanError !== 0) fail(SCAN_ERROR[scanError] ?? 1);
      if (token === LINE_COMMENT || token === BLOCK_COMMENT) fail(10);
      return token;
    }
  };

  /** Gives a finished value to its container. */
  const attach = (node: JsonNode): void => {
    const frame = stack[stack.length - 1];
    if (!frame) {
      root = node;
      return;
    }
    const property = frame.property;
    if (!property) return;
    property.children?.push(node);
    property.length = node.offset + node.length - property.offset;
  };

  /** Opens an object or array at the current token. */
  const open = (array: boolean): void => {
    const offset = scanner.getTokenOffset();
    if (stack.length >= MAX_JSON_DEPTH) {
      error = {
        code: 'JSON_TOO_DEEP',
        offset,
        length: 1,
        expected: `at most ${MAX_JSON_DEPTH} nested objects and arrays (refusing deeper nesting)`,
      };
      throw new Stop();
    }
    const parent = stack[stack.length - 1];
    let node: JsonNode | undefined;
    let expanded = false;
    let keys: string[] = [];
    if (!parent || parent.expanded) {
      node = { type: array ? 'array' : 'object', offset, length: 1, closed: false };
      if (!array) {
        if (parent) keys = [...parent.keys, parent.property?.children?.[0]?.value as string];
        expanded = !parent || expand(keys, root ?? node);
      }
      if (expanded) node.children = [];
      attach(node);
    }
    stack.push({ node, array, expanded, keys, property: undefined });
  };

  /** Closes the innermost container at the current token. */
  const close = (): void => {
    const frame = stack.pop() as Frame;
    const node = frame.node;
    if (!node) return;
    node.length = scanner.getTokenOffset() + 1 - node.offset;
    node.closed = true;
    const property = stack[stack.length - 1]?.property;
    if (property) property.length = node.offset + node.length - property.offset;
  };

  /** Reads a member name and its colon; the next token starts the value. */
  const key = (token: number): void => {
    if (token !== STRING) fail(token === EOF ? 7 : 3);
    const frame = stack[stack.length - 1];
    const offset = scanner.getTokenOffset();
    const length = scanner.getTokenLength();
    if (frame.expanded && frame.node) {
      const name: JsonNode = { type: 'string', value: scanner.getTokenValue(), offset, length };
      frame.property = { type: 'property', offset, length, children: [name] };
      frame.node.children?.push(frame.property);
    }
    if (next() !== COLON) fail(5);
  };

  const closer = (frame: Frame): number => (frame.array ? CLOSE_BRACKET : CLOSE_BRACE);

  try {
    let token = next();
    for (;;) {
      // A value starts at `token`.
      if (token === OPEN_BRACE || token === OPEN_BRACKET) {
        open(token === OPEN_BRACKET);
        const frame = stack[stack.length - 1];
        token = next();
        if (token !== closer(frame)) {
          if (!frame.array) {
            key(token);
            token = next();
          }
          continue;
        }
        close();
      } else if (token === STRING || token === NUMBER || token === TRUE || token === FALSE
        || token === NULL) {
        const frame = stack[stack.length - 1];
        if (!frame || frame.expanded) {
          const raw = scanner.getTokenValue();
          const offset = scanner.getTokenOffset();
          const length = scanner.getTokenLength();
          if (token === STRING) attach({ type: 'string', value: raw, offset, length });
          else if (token === NUMBER) attach({ type: 'number', value: Number(raw), offset, length });
          else if (token === NULL) attach({ type: 'null', value: null, offset, length });
          else attach({ type: 'boolean', value: token === TRUE, offset, length });
        }
      } else {
        fail(token === CLOSE_BRACE || token === CLOSE_BRACKET || token === EOF ? 4 : 1);
      }

      // The value is complete: a comma and the next member, a closing bracket, or the end.
      for (;;) {
        token = next();
        const frame = stack[stack.length - 1];
        if (!frame) {
          if (token !== EOF) fail(9);
          return { root, error: undefined };
        }
        if (token === closer(frame)) {
          close();
          continue;
        }
        if (token !== COMMA) fail(frame.array ? 8 : token === STRING ? 6 : 7);
        token = next();
        if (frame.array) {
          if (token === CLOSE_BRACKET) fail(4);
        } else {
          key(token);
          token = next();
        }
        break;
      }
    }
  } catch (thrown) {
    if (!(thrown instanceof Stop)) throw thrown;
  }

  // Containers left open end where the error is.
  const stop = error?.offset ?? source.length;
  for (const frame of stack) if (frame.node) frame.node.length = stop - frame.node.offset;
  return { root, error };
}

export interface Member {
  member: JsonNode;
  key: JsonNode;
  value: JsonNode | undefined;
}

/** The members of an expanded object node, as key node and value node. */
export function members(node: JsonNode): Member[] {
  const out: Member[] = [];
  for (const member of node.children ?? []) {
    const key = member.children?.[0];
    if (key) out.push({ member, key, value: member.children?.[1] });
  }
  return out;
}

/** The value node of a property of an object node; the last one wins, as in JSON.parse. */
export function property(node: JsonNode, name: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  for (const member of node.children ?? []) {
    if (member.children?.[0]?.value === name) found = member.children[1];
  }
  return found;
}

/** End offset (exclusive) of a node. */
export function end(node: JsonNode): number {
  return node.offset + node.length;
}
