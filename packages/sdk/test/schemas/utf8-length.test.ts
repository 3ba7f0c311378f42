import { describe, expect, test } from 'vitest';
import { utf8Length } from '../../src/schemas/utf8-length.ts';

describe('utf8Length', () => {
  test.each([
    ['', 0],
    ['ascii', 5],
    ['é', 2],
    ['\u0085', 2],
    ['中', 3],
    ['😀', 4],
    ['a中😀é', 10],
    ['\ud800', 3],
    ['\udc00x', 4],
    ['\ud800\ud800\udc00', 7],
  ])('%j is %i bytes, as Buffer.byteLength counts it', (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(Buffer.byteLength(text)).toBe(bytes);
  });

  test('agrees with Buffer.byteLength on the JSON of mixed text', () => {
    const text = JSON.stringify({ k: `x${'é中😀\u007f\u0080\uffff'.repeat(100)}\ud83d`, n: [1, 'z'] });
    expect(utf8Length(text)).toBe(Buffer.byteLength(text));
  });
});
