/**
 * Turns the bytes of a POM into text as an XML processor would (XML 1.0, 4.3.3 and Appendix F):
 * a byte order mark decides first, then the `encoding` of the XML declaration, then UTF-8.
 * Callers that read POMs from disk must use this instead of reading them as UTF-8, or
 * ISO-8859-1 POMs show wrong characters and wrong columns.
 */
export function decodePom(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // UTF-16 without a byte order mark starts `<?` as 00 3C 00 3F or 3C 00 3F 00 (Appendix F.1).
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes[0] === 0x3c && bytes[1] === 0x00) return new TextDecoder('utf-16le').decode(bytes);

  const label = declaredEncoding(bytes);
  if (label) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An encoding TextDecoder does not know: UTF-8 below keeps ASCII markup readable.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** The `encoding` pseudo-attribute of an XML declaration at the very start, if any. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 256)));
  const decl = /^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head);
  return decl ? decl[1].toLowerCase() : undefined;
}
