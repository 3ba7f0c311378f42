/**
 * Compares two fact keys in the order SQLite keeps them (the BINARY collation: the bytes of their
 * UTF-8, which is code point order). JavaScript's `<` compares UTF-16 code units, which disagrees
 * when one key has a character from U+E000 to U+FFFF where the other has one above U+FFFF (an
 * emoji): `'\u{1F600}' < '\uFF01'` is true in JavaScript, false in SQLite.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
