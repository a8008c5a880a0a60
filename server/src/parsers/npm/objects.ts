import { end, type JsonNode, property } from './json';

/*
 * The objects of a lockfile the reader looks into (the root, `packages` and its entries, v1
 * `dependencies` at every level), seen the same way whichever JSON reader found them: the
 * tolerant reader's tree for broken text, or JSON.parse's values with offsets from a scan of
 * the text for valid JSON (./validJson.ts).
 */

/** One member of an object: its key, where it is, and its value when that is an object. */
export interface LockMember {
  /** The key as JSON.parse decodes it. */
  name: string;
  /** From the key's opening quote to the end of the value (exclusive). */
  start: number;
  end: number;
  /** Whether the member was read whole, before any syntax error. */
  complete: boolean;
  /** False when the text ends (or breaks) between the key and its value. */
  hasValue: boolean;
  /** The value, when it is a JSON object; undefined for any other value. */
  object: LockObject | undefined;
}

/** A key of an object and the offsets of its quoted text. */
export interface KeySpan {
  name: string;
  start: number;
  end: number;
}

export interface LockObject {
  /** Offset of the opening brace. */
  readonly start: number;
  /**
   * Members in file order, duplicates included; empty for an object the reader has no reason
   * to list (a v2 file's v1 `dependencies` mirror).
   */
  members(): readonly LockMember[];
  /**
   * The value of a field as JSON.parse reads it (the last of duplicate members wins); undefined
   * when absent. Arrays and objects come back as some object: callers only test for strings,
   * booleans and numbers. Contract: `name` is never a member of Object.prototype.
   */
  get(name: string): unknown;
  /** The field's value (the last member of that name) when it is an object. */
  child(name: string): LockObject | undefined;
  /** Offsets of the field's value (the last member of that name); the field must be present. */
  valueSpan(name: string): [number, number];
  /** Keys not in `known`, in file order, duplicates included. */
  unknownKeys(known: ReadonlySet<string>): KeySpan[];
}

/** A view of the tolerant reader's tree, where members may be cut off by a syntax error. */
export class NodeObject implements LockObject {
  private list: LockMember[] | undefined;

  /**
   * @param complete offset of the first syntax error: members ending after it are incomplete.
   */
  constructor(
    private readonly node: JsonNode,
    private readonly complete: number,
  ) {}

  get start(): number {
    return this.node.offset;
  }

  members(): readonly LockMember[] {
    if (this.list) return this.list;
    this.list = [];
    for (const member of this.node.children ?? []) {
      const key = member.children?.[0];
      if (!key) continue;
      const value = member.children?.[1];
      this.list.push({
        name: key.value as string,
        start: member.offset,
        end: end(member),
        complete: end(member) <= this.complete && value !== undefined && value.closed !== false,
        hasValue: value !== undefined,
        object: value?.type === 'object' ? new NodeObject(value, this.complete) : undefined,
      });
    }
    return this.list;
  }

  get(name: string): unknown {
    const value = property(this.node, name);
    if (!value) return undefined;
    return value.type === 'object' || value.type === 'array' ? value : value.value;
  }

  child(name: string): LockObject | undefined {
    const value = property(this.node, name);
    return value?.type === 'object' ? new NodeObject(value, this.complete) : undefined;
  }

  valueSpan(name: string): [number, number] {
    const value = property(this.node, name) as JsonNode;
    return [value.offset, end(value)];
  }

  unknownKeys(known: ReadonlySet<string>): KeySpan[] {
    const unknown: KeySpan[] = [];
    for (const member of this.node.children ?? []) {
      const key = member.children?.[0];
      if (key && !known.has(key.value as string)) {
        unknown.push({ name: key.value as string, start: key.offset, end: end(key) });
      }
    }
    return unknown;
  }
}
