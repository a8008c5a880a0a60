import { SaxesParser } from 'saxes';

/**
 * A small element tree with source offsets, built by saxes (a strict, non-validating XML 1.0
 * parser that never fetches external entities). Offsets index the decoded string, so they
 * are UTF-16 units, as LSP positions need.
 */
export interface XmlElement {
  /** Local name: a namespace prefix, if any, is dropped (POMs use a default namespace). */
  name: string;
  /** Offset of `<` of the start tag. */
  start: number;
  /** Offset just past `>` of the end tag; -1 while the element is still open. */
  end: number;
  children: XmlElement[];
  /**
   * Character data directly inside the element, entity references expanded; empty for an
   * element with child elements (a POM value is a leaf: Maven's reader refuses mixed content),
   * so the whitespace between children is never gathered.
   */
  text: string;
}

export interface XmlError {
  code: 'POM_XML_SYNTAX' | 'POM_ENTITY_DECLARATION' | 'POM_XML_TOO_DEEP';
  message: string;
  /** Where the problem was found; `end` may equal `start`. */
  start: number;
  end: number;
}

export interface XmlDocument {
  /** The root element, possibly incomplete (end -1) when `error` is set. */
  root?: XmlElement;
  error?: XmlError;
}

/**
 * Deepest element nesting accepted. The POM 4.0.0 schema nests about ten levels (plugin
 * configurations a few more); a deeper file is refused instead of building a tree that
 * later walks would take seconds over.
 */
export const MAX_XML_DEPTH = 256;

/**
 * The children of every element that has none: most elements of a POM are leaves, and an
 * array for each would be garbage the collector copies along with the tree while it is built.
 */
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];

/** Thrown from saxes handlers to stop at the first problem; caught in readXml. */
class Stop extends Error {}

/**
 * Parses `text` into an element tree, stopping at the first well-formedness error. Elements
 * closed before the error are complete; the rest keep end -1. A DOCTYPE that declares
 * entities is refused: a POM has no use for them, and their expansion is how XML bombs and
 * external-entity reads work (OWASP XXE Prevention Cheat Sheet).
 */
export function readXml(text: string): XmlDocument {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  const doc: XmlDocument = {};
  // One string per distinct tag name, not one per element: the tree keeps every name.
  const names = new Map<string, string>();

  const fail = (error: XmlError): never => {
    doc.error = error;
    throw new Stop();
  };

  parser.on('doctype', (doctype) => {
    if (!/<!ENTITY/i.test(doctype)) return;
    const end = parser.position;
    const start = Math.max(0, text.lastIndexOf('<!DOCTYPE', end));
    fail({
      code: 'POM_ENTITY_DECLARATION',
      message: 'the DOCTYPE declares entities; POMs must not declare or expand entities',
      start,
      end,
    });
  });
  parser.on('opentagstart', (tag) => {
    if (stack.length >= MAX_XML_DEPTH) {
      const at = Math.max(0, text.lastIndexOf('<', parser.position - 1));
      fail({
        code: 'POM_XML_TOO_DEEP',
        message: `elements nest deeper than ${MAX_XML_DEPTH} levels; a POM never does`,
        start: at,
        end: parser.position,
      });
    }
    let name = names.get(tag.name);
    if (name === undefined) {
      const colon = tag.name.indexOf(':');
      name = colon >= 0 ? tag.name.slice(colon + 1) : tag.name;
      names.set(tag.name, name);
    }
    const element: XmlElement = {
      name,
      start: Math.max(0, text.lastIndexOf('<', parser.position - 1)),
      end: -1,
      children: NO_CHILDREN,
      text: '',
    };
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      doc.root ??= element;
    } else if (parent.children === NO_CHILDREN) {
      parent.text = '';
      parent.children = [element];
    } else {
      parent.children.push(element);
    }
    stack.push(element);
  });
  const gather = (data: string): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined && top.children === NO_CHILDREN) top.text += data;
  };
  parser.on('text', gather);
  parser.on('cdata', gather);
  parser.on('closetag', () => {
    const element = stack.pop();
    if (element) element.end = parser.position;
  });
  parser.on('error', (err) => {
    // saxes prefixes its messages with `line:column: `; positions are reported separately.
    const message = err.message.replace(/^\d+:\d+: /, '');
    fail({ code: 'POM_XML_SYNTAX', message, start: parser.position, end: parser.position });
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (!(e instanceof Stop)) {
      const message = e instanceof Error ? e.message : String(e);
      doc.error = { code: 'POM_XML_SYNTAX', message, start: parser.position, end: parser.position };
    }
  }
  return doc;
}

/** The first child element called `name`, if any. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child element called `name`. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of the first child called `name`; undefined when absent. */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  return found ? found.text.trim() : undefined;
}

/** Follows a path of child names, e.g. `build/plugins`. */
export function descend(
  element: XmlElement | undefined,
  ...names: string[]
): XmlElement | undefined {
  let current = element;
  for (const name of names) current = child(current, name);
  return current;
}
