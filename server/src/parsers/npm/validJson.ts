import { MAX_JSON_DEPTH } from './json';
import type { KeySpan, LockMember, LockObject } from './objects';

/*
 * The reader for text JSON.parse has accepted. Values come from JSON.parse, which is native and
 * the fastest reader there is; this file finds only the offsets that ranges need, with a scan
 * that builds no tokens: a string is jumped with indexOf to its first quote not escaped by a
 * backslash, and nested values are skipped by counting brackets (RFC 8259, sections 2 and 7).
 */

// Character codes (RFC 8259, section 2: structural characters and whitespace).
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Thrown when the text nests deeper than the tolerant reader accepts; it then reads the file. */
export class TooDeep extends Error {}

/** Which objects get their members listed, after the lockfile's layout (see packageLock.ts). */
const enum Layout {
  /** Members only: their values are skipped, and looked into lazily when a field is asked. */
  Flat,
  Root,
  /** v1 `dependencies`: every entry is listed, and so is its own `dependencies`. */
  V1List,
  V1Entry,
}

type Parsed = Record<string, unknown>;

/**
 * How the object held by member `name` of an object laid out as `layout` is listed; undefined
 * when it is not. The v1 section is listed only while no `packages` object precedes it, as the
 * tolerant reader decides (packageLock.ts, expandLockfile).
 */
function listing(layout: Layout, name: string, packagesIsObject: boolean): Layout | undefined {
  switch (layout) {
    case Layout.Root:
      if (name === 'packages') return Layout.Flat;
      return name === 'dependencies' && !packagesIsObject ? Layout.V1List : undefined;
    case Layout.V1List:
      return Layout.V1Entry;
    case Layout.V1Entry:
      return name === 'dependencies' ? Layout.V1List : undefined;
    default:
      return undefined;
  }
}

/** Offsets in valid JSON text. Every position given must be where the grammar says. */
class Scan {
  constructor(readonly text: string) {}

  skipSpace(i: number): number {
    const text = this.text;
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    return i;
  }

  /** End of the string whose opening quote is at `i`. */
  stringEnd(i: number): number {
    const text = this.text;
    let quote = text.indexOf('"', i + 1);
    while (text.charCodeAt(quote - 1) === BACKSLASH) {
      let slashes = 1;
      while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) break;
      quote = text.indexOf('"', quote + 1);
    }
    return quote + 1;
  }

  /** End of the value at `i`, inside `depth` open objects and arrays. */
  valueEnd(i: number, depth: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === QUOTE) return this.stringEnd(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.containerEnd(i, depth);
    if (c === 0x74 || c === 0x6e) return i + 4; // true, null
    if (c === 0x66) return i + 5; // false
    // A number: JSON.parse accepted it, so every character up to a delimiter belongs to it.
    let j = i + 1;
    for (;;) {
      const d = text.charCodeAt(j);
      if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b
        || d === 0x2d) j++;
      else return j;
    }
  }

  /** End of the object or array at `i`, refusing what the tolerant reader refuses. */
  containerEnd(i: number, depth: number): number {
    const text = this.text;
    let open = depth + 1;
    if (open > MAX_JSON_DEPTH) throw new TooDeep();
    for (i++; ; ) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = this.stringEnd(i);
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++open > MAX_JSON_DEPTH) throw new TooDeep();
        i++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--open === depth) return i + 1;
        i++;
      } else i++;
    }
  }

  /** The key whose opening quote is at `i`, decoded as JSON.parse decodes it. */
  key(i: number, end: number): string {
    const raw = this.text.slice(i + 1, end - 1);
    return raw.includes('\\') ? (JSON.parse(this.text.slice(i, end)) as string) : raw;
  }

  /**
   * The members of the object at `i` (inside `depth` open containers) whose value JSON.parse
   * gave as `parsed`, listing nested objects as `layout` asks.
   */
  object(i: number, depth: number, parsed: Parsed, layout: Layout): ParsedObject {
    if (depth + 1 > MAX_JSON_DEPTH) throw new TooDeep();
    const list: LockMember[] = [];
    const object = new ParsedObject(this, i, depth, parsed, list);
    let packagesIsObject = false;
    let p = this.skipSpace(i + 1);
    if (this.text.charCodeAt(p) === CLOSE_BRACE) {
      object.end = p + 1;
      return object;
    }
    for (;;) {
      const start = p;
      const keyEnd = this.stringEnd(p);
      const name = this.key(p, keyEnd);
      p = this.skipSpace(this.skipSpace(keyEnd) + 1);
      const isObject = this.text.charCodeAt(p) === OPEN_BRACE;
      const nested = isObject ? listing(layout, name, packagesIsObject) : undefined;
      if (layout === Layout.Root && name === 'packages') packagesIsObject = isObject;

      let end: number;
      let child: ParsedObject | undefined;
      const value = (parsed as Parsed | undefined)?.[name] as Parsed;
      if (nested !== undefined) {
        child = this.object(p, depth + 1, value, nested);
        end = child.end;
      } else {
        end = this.valueEnd(p, depth + 1);
        if (isObject) child = new ParsedObject(this, p, depth + 1, value, undefined);
      }
      list.push({ name, start, end, complete: true, hasValue: true, object: child });

      p = this.skipSpace(end);
      if (this.text.charCodeAt(p) === COMMA) p = this.skipSpace(p + 1);
      else {
        object.end = p + 1;
        return object;
      }
    }
  }

  /** Keys and value offsets of the object at `i`, for fields asked of an unlisted object. */
  fields(i: number, depth: number): Field[] {
    const fields: Field[] = [];
    let p = this.skipSpace(i + 1);
    if (this.text.charCodeAt(p) === CLOSE_BRACE) return fields;
    for (;;) {
      const keyEnd = this.stringEnd(p);
      const name = this.key(p, keyEnd);
      const valueStart = this.skipSpace(this.skipSpace(keyEnd) + 1);
      const valueEnd = this.valueEnd(valueStart, depth + 1);
      fields.push({ name, start: p, end: keyEnd, valueStart, valueEnd });
      p = this.skipSpace(valueEnd);
      if (this.text.charCodeAt(p) !== COMMA) return fields;
      p = this.skipSpace(p + 1);
    }
  }
}

interface Field extends KeySpan {
  valueStart: number;
  valueEnd: number;
}

/** An object of valid JSON: values from JSON.parse, offsets found by the scan when asked. */
class ParsedObject implements LockObject {
  end = 0;
  private spans: Field[] | undefined;

  constructor(
    private readonly scan: Scan,
    readonly start: number,
    private readonly depth: number,
    private readonly parsed: Parsed,
    private readonly list: LockMember[] | undefined,
  ) {}

  members(): readonly LockMember[] {
    return this.list ?? [];
  }

  get(name: string): unknown {
    return (this.parsed as Parsed | undefined)?.[name];
  }

  child(name: string): LockObject | undefined {
    if (this.list) {
      for (let i = this.list.length - 1; i >= 0; i--) {
        if (this.list[i].name === name) return this.list[i].object;
      }
      return undefined;
    }
    const field = this.field(name);
    if (!field || this.scan.text.charCodeAt(field.valueStart) !== OPEN_BRACE) return undefined;
    const value = (this.parsed as Parsed | undefined)?.[name] as Parsed;
    return new ParsedObject(this.scan, field.valueStart, this.depth + 1, value, undefined);
  }

  valueSpan(name: string): [number, number] {
    const field = this.field(name) as Field;
    return [field.valueStart, field.valueEnd];
  }

  unknownKeys(known: ReadonlySet<string>): KeySpan[] {
    let any = false;
    for (const key in this.parsed) {
      if (!known.has(key)) {
        any = true;
        break;
      }
    }
    if (!any) return [];
    return this.fields().filter((field) => !known.has(field.name));
  }

  private fields(): Field[] {
    this.spans ??= this.scan.fields(this.start, this.depth);
    return this.spans;
  }

  /** The last member of that name, as JSON.parse reads duplicates. */
  private field(name: string): Field | undefined {
    const fields = this.fields();
    for (let i = fields.length - 1; i >= 0; i--) if (fields[i].name === name) return fields[i];
    return undefined;
  }
}

/**
 * The root object of a lockfile JSON.parse accepted (as `parsed`), with the members of its
 * `packages` and v1 `dependencies` listed with their offsets. Undefined when the root is not an
 * object; throws TooDeep when the text nests deeper than MAX_JSON_DEPTH.
 */
export function readValidJson(text: string, parsed: unknown): LockObject | undefined {
  const scan = new Scan(text);
  const start = scan.skipSpace(0);
  if (text.charCodeAt(start) !== OPEN_BRACE) return undefined;
  return scan.object(start, 0, parsed as Parsed, Layout.Root);
}
