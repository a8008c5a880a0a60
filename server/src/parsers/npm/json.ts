import { type ParseErrorCode, visit } from 'jsonc-parser';

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

/**
 * Thrown from inside the visitor to stop at the first container nested too deep; the parser keeps
 * no state, so unwinding it is safe.
 */
class TooDeep extends Error {
  constructor(readonly offset: number) {
    super('JSON nested too deep');
  }
}

function isTrailingComma(text: string, offset: number): boolean {
  const c = text[offset];
  if (c !== '}' && c !== ']') return false;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',';
}

function describe(text: string, code: ParseErrorCode, offset: number): string {
  if ((code === 3 || code === 4) && isTrailingComma(text, offset)) {
    return 'another member after `,` (trailing commas are not allowed in JSON)';
  }
  if (offset >= text.trimEnd().length && code !== 9) {
    return `${EXPECTED[code] ?? 'valid JSON'}, found the end of the file`;
  }
  return EXPECTED[code] ?? 'valid JSON';
}

/**
 * Parses strict JSON (no comments, no trailing commas) into a tree with offsets, expanding only
 * the objects `expand` asks for; arrays are never expanded. Never throws. A byte order mark is
 * read as whitespace so that offsets stay those of the given text.
 */
export function parseJson(text: string, expand: ExpandPolicy): JsonDocument {
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;

  let root: JsonNode | undefined;
  let error: JsonSyntaxError | undefined;
  // Expanded objects from the root down, with the property names leading to each.
  const stack: JsonNode[] = [];
  const keys: string[] = [];
  let pending: JsonNode | undefined; // the property whose value comes next
  let shallow: JsonNode | undefined; // the outermost unexpanded container being skipped
  let shallowDepth = 0;
  let depth = 0;

  const attach = (node: JsonNode): void => {
    if (stack.length === 0) {
      root ??= node;
      return;
    }
    if (!pending) return;
    pending.children?.push(node);
    pending.length = node.offset + node.length - pending.offset;
  };

  const begin = (type: 'object' | 'array', offset: number): void => {
    if (++depth > MAX_JSON_DEPTH) throw new TooDeep(offset);
    if (shallow) {
      shallowDepth++;
      return;
    }
    const node: JsonNode = { type, offset, length: 1, closed: false };
    const path = pending && stack.length > 0 ? [...keys, pending.children?.[0]?.value as string] : keys;
    const expanded = type === 'object' && (stack.length === 0 || expand(path, root ?? node));
    if (stack.length === 0) root ??= node;
    else attach(node);
    if (!expanded) {
      shallow = node;
      shallowDepth = 1;
      return;
    }
    node.children = [];
    if (stack.length > 0) keys.push(path[path.length - 1]);
    stack.push(node);
    pending = undefined;
  };

  const finish = (node: JsonNode, offset: number, length: number, close: string): void => {
    node.length = offset + length - node.offset;
    node.closed = source[offset] === close;
  };

  const endContainer = (offset: number, length: number, close: string): void => {
    depth--;
    if (shallow) {
      if (--shallowDepth > 0) return;
      finish(shallow, offset, length, close);
      const node = shallow;
      shallow = undefined;
      if (pending && stack.length > 0) pending.length = node.offset + node.length - pending.offset;
      return;
    }
    const node = stack.pop();
    if (!node) return;
    finish(node, offset, length, close);
    if (stack.length > 0) keys.pop();
    const parent = stack[stack.length - 1];
    pending = parent?.children?.[parent.children.length - 1];
    if (pending) pending.length = node.offset + node.length - pending.offset;
  };

  let tooDeep: JsonSyntaxError | undefined;
  try {
    visit(source, {
    onObjectBegin: (offset) => begin('object', offset),
    onArrayBegin: (offset) => begin('array', offset),
    onObjectEnd: (offset, length) => endContainer(offset, length, '}'),
    onArrayEnd: (offset, length) => endContainer(offset, length, ']'),
    onObjectProperty: (name, offset, length) => {
      if (shallow) return;
      const object = stack[stack.length - 1];
      if (!object) return;
      const key: JsonNode = { type: 'string', value: name, offset, length };
      pending = { type: 'property', offset, length, children: [key] };
      object.children?.push(pending);
    },
    onLiteralValue: (value, offset, length) => {
      if (shallow) return;
      const type = value === null ? 'null' : (typeof value as 'string' | 'number' | 'boolean');
      attach({ type, value, offset, length });
    },
    onError: (code, offset, length) => {
      error ??= { code: 'JSON_SYNTAX', offset, length: Math.max(length, 1), expected: describe(source, code, offset) };
    },
    }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (thrown) {
    if (!(thrown instanceof TooDeep)) throw thrown;
    tooDeep = {
      code: 'JSON_TOO_DEEP',
      offset: thrown.offset,
      length: 1,
      expected: `at most ${MAX_JSON_DEPTH} nested objects and arrays (refusing deeper nesting)`,
    };
  }

  // An earlier syntax error comes first; what the depth bound cut off was never read.
  const first = error && (!tooDeep || error.offset <= tooDeep.offset) ? error : tooDeep;
  return { root, error: first };
}

/** The members of an expanded object node, as key node and value node. */
export function members(node: JsonNode): Array<{ member: JsonNode; key: JsonNode; value: JsonNode | undefined }> {
  const out: Array<{ member: JsonNode; key: JsonNode; value: JsonNode | undefined }> = [];
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
