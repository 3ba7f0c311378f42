import { describe, expect, test } from 'vitest';
import { SseParser } from '../src/index.ts';

/** Feeds `chunks` in order and returns every event dispatched. */
function parse(...chunks: string[]) {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('SseParser', () => {
  test('a blank line dispatches an event; its type defaults to message', () => {
    expect(parse('data: hello\n\n')).toEqual([{ event: 'message', data: 'hello', id: '' }]);
  });

  test('event, id and retry fields are kept; one leading space of a value is dropped, not two', () => {
    expect(parse('event: update\nid: 7\nretry: 1500\ndata:  two spaces\n\n')).toEqual([
      { event: 'update', data: ' two spaces', id: '7', retry: 1500 },
    ]);
  });

  test('multi-line data is joined with newlines', () => {
    expect(parse('data: {"a":\ndata: 1}\n\n')).toEqual([{ event: 'message', data: '{"a":\n1}', id: '' }]);
  });

  test('comments are ignored and an event without data is not dispatched', () => {
    expect(parse(': connected\n\n', 'event: ping\n\n', ': keepalive\ndata: x\n\n')).toEqual([
      { event: 'message', data: 'x', id: '' },
    ]);
  });

  test('events split across chunks anywhere, even inside a CRLF, parse the same', () => {
    const text = 'event: message\r\ndata: {"n":1}\r\n\r\nevent: message\rdata: {"n":2}\r\r';
    const whole = parse(text);
    expect(whole.map((e) => e.data)).toEqual(['{"n":1}', '{"n":2}']);
    for (let cut = 1; cut < text.length; cut += 1) {
      expect(parse(text.slice(0, cut), text.slice(cut))).toEqual(whole);
    }
    expect(parse(...text.split(''))).toEqual(whole);
    expect(parse(...text.split('').flatMap((char) => [char, '']))).toEqual(whole);
  });

  test('a field without a colon has an empty value, and a leading BOM is skipped', () => {
    expect(parse('\uFEFFdata\n\n')).toEqual([{ event: 'message', data: '', id: '' }]);
  });

  test('an unterminated final event is not dispatched', () => {
    expect(parse('data: complete\n\ndata: partial\n')).toEqual([{ event: 'message', data: 'complete', id: '' }]);
  });

  test('the last id carries over to later events', () => {
    expect(parse('id: 1\ndata: a\n\ndata: b\n\n').map((e) => e.id)).toEqual(['1', '1']);
  });
});
