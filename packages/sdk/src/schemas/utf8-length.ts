/**
 * The bytes of `text` as UTF-8: what `Buffer.byteLength(text)` answers, without `Buffer`, so the
 * schemas of the root entry run where Node's globals do not. A lone surrogate counts 3 bytes, as
 * the U+FFFD it is encoded as.
 *
 * @example utf8Length('a中') //=> 4
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code <= 0xdbff && code >= 0xd800 && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: 4 bytes for its 2 code units.
      bytes += 2;
      i += 1;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
