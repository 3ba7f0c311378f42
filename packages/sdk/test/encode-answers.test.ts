import { afterEach, describe, expect, test } from 'vitest';
import { encodePollAnswer, encodeReceiveAnswer, encodeSendAnswer } from '../src/bus/encode-answers.ts';
import { MIN_KEPT_PAYLOAD_CHARS, payloadTextOf } from '../src/bus/internal/payload-text.ts';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import type { MessageStore } from '../src/bus/message-store.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';
import { freshDatabasePath } from './_stores.ts';

// The bus's answers that carry messages splice in the payload text the SQLite store wrote (for a
// send) or read (for a receive or poll) instead of serializing each payload again. The text must be
// exactly what `JSON.stringify` of the answer gives, for any payload.

const opened: MessageStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function sqlite(): SqliteMessageStore {
  const store = new SqliteMessageStore({ path: freshDatabasePath() });
  opened.push(store);
  return store;
}

const input = (init: SendInputInit) => SendInput.parse(init);

/** Long enough to be spliced rather than serialized again (shorter texts are serialized whole). */
const PAD = 'p'.repeat(600);

/** Payloads whose JSON is easy to get wrong: escapes, surrogates, key order, numbers; each long enough to be spliced. */
const payloads: Array<[string, unknown]> = [
  ['a string with quotes, backslashes and controls', `say "hi"\\\n\t\u0001\u001f${PAD}`],
  ['non-ASCII and an emoji', { text: `Grüße, 你好 🚀${PAD}` }],
  ['a lone surrogate', { broken: '\ud800 and \udfff', PAD }],
  ['integer-like keys after others', { ...JSON.parse('{"b":1,"2":2,"1":3,"a":[1,2]}'), PAD }],
  ['a __proto__ key', JSON.parse(`{"__proto__":{"x":1},"y":2,"pad":"${PAD}"}`)],
  ['numbers', [0, -0, 0.1, 1e21, 1e-7, 2 ** 53 + 1, -1.5e300, ...Array.from({ length: 100 }, (_, i) => i / 7)]],
  ['booleans, null and nesting', { a: { b: { c: [true, false, null, [], {}] } }, PAD }],
  ['the splice mark itself', { mark: '\u0000fleet:kept-payload\u0000', PAD }],
  ['null (too short to splice)', null],
  ['a short object (too short to splice)', { n: 1 }],
];

describe('answers with kept payload texts (SQLite)', () => {
  test.each(payloads)('%s: send, receive and poll answers are JSON.stringify of the answer', async (_name, payload) => {
    const store = sqlite();
    // The invariant the splice rests on: the kept text is what JSON.stringify makes of the payload.
    const text = JSON.stringify(payload);
    const keptText = text.length >= MIN_KEPT_PAYLOAD_CHARS ? text : undefined;
    const sent = await store.send(input({ from: 'a', to: 'b', payload }));
    expect(payloadTextOf(sent.messages[0]!)).toBe(keptText);
    expect(encodeSendAnswer(sent).text).toBe(JSON.stringify(sent));

    const deliveries = await store.lease({ agent: 'b', limit: 10, leaseSeconds: 30 });
    expect(deliveries).toHaveLength(1);
    expect(payloadTextOf(deliveries[0]!.message)).toBe(keptText);
    expect(encodeReceiveAnswer(deliveries).text).toBe(JSON.stringify({ deliveries, count: 1 }));

    await store.send(input({ from: 'a', to: 'c', payload }));
    const polled = await store.poll('c', 10);
    expect(payloadTextOf(polled[0]!)).toBe(keptText);
    expect(encodePollAnswer(polled).text).toBe(JSON.stringify({ messages: polled, count: 1 }));
  });

  test('the kept text is what goes out: a payload changed in place after the store returned is not seen', async () => {
    const store = sqlite();
    const sent = await store.send(input({ from: 'a', to: 'b', payload: { n: 1, PAD } }));
    (sent.messages[0]!.payload as { n: number }).n = 2;
    expect(encodeSendAnswer(sent).text).toContain('"payload":{"n":1,');

    const deliveries = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    (deliveries[0]!.message.payload as { n: number }).n = 3;
    expect(encodeReceiveAnswer(deliveries).text).toContain('"payload":{"n":1,');

    await store.send(input({ from: 'a', to: 'c', payload: { n: 1, PAD } }));
    const polled = await store.poll('c', 1);
    (polled[0]!.payload as { n: number }).n = 4;
    expect(encodePollAnswer(polled).text).toContain('"payload":{"n":1,');
  });

  test('a kept text is invisible to JSON, spreads, keys and equality checks', async () => {
    const store = sqlite();
    const sent = await store.send(input({ from: 'a', to: 'b', payload: { n: 1, PAD } }));
    const message = sent.messages[0]!;
    expect(payloadTextOf(message)).toBeDefined();
    const plain = JSON.parse(JSON.stringify(message)) as typeof message;
    expect(message).toStrictEqual(plain);
    expect(Object.keys(message)).toEqual(Object.keys(plain));
    expect(payloadTextOf({ ...message })).toBeUndefined();
  });

  test('a short payload is serialized again, not spliced', async () => {
    const store = sqlite();
    const sent = await store.send(input({ from: 'a', to: 'b', payload: { n: 1 } }));
    (sent.messages[0]!.payload as { n: number }).n = 2;
    expect(encodeSendAnswer(sent).text).toBe(JSON.stringify(sent));
  });

  test('a payload replaced by another value is serialized anew', async () => {
    const store = sqlite();
    const sent = await store.send(input({ from: 'a', to: 'b', payload: { n: 1, PAD } }));
    sent.messages[0]!.payload = { n: 4 };
    expect(encodeSendAnswer(sent).text).toBe(JSON.stringify(sent));
    expect(encodeSendAnswer(sent).text).toContain('"payload":{"n":4}');
  });

  test('a field holding the splice mark makes the answer serialize whole, still exact', async () => {
    const store = sqlite();
    const mark = '\u0000fleet:kept-payload\u0000';
    const sent = await store.send(input({ from: 'a', to: 'b', type: mark, payload: { n: 1, PAD } }));
    (sent.messages[0]!.payload as { n: number }).n = 5;
    // Serialized whole: the change made in place shows, unlike in a spliced answer.
    expect(encodeSendAnswer(sent).text).toBe(JSON.stringify(sent));
    expect(encodeSendAnswer(sent).text).toContain('"payload":{"n":5,');
  });

  test('a batch with fan-outs and repeated idempotency keys: new copies spliced, repeats serialized', async () => {
    const store = sqlite();
    await store.subscribe('s1', 'news');
    await store.subscribe('s2', 'news');
    const first = await store.send(input({ from: 'a', to: 'b', idempotencyKey: 'k1', payload: { first: true, PAD } }));
    const batch = await store.sendBatch([
      input({ from: 'a', to: 'b', idempotencyKey: 'k1', payload: { ignored: true } }),
      input({ from: 'a', topic: 'news', payload: { fan: 'out', PAD } }),
      input({ from: 'a', to: 'c', idempotencyKey: 'k2', payload: [1, 2, 3, PAD] }),
      input({ from: 'a', to: 'c', idempotencyKey: 'k2', payload: 'repeat in the batch' }),
      input({ from: 'a', to: 'd' }),
    ]);
    expect(batch.messages.map((m) => m.to)).toEqual(['b', 's1', 's2', 'c', 'c', 'd']);
    expect(batch.messages[0]!.id).toBe(first.messages[0]!.id);
    expect(batch.messages[4]!.id).toBe(batch.messages[3]!.id);
    expect(encodeSendAnswer(batch).text).toBe(JSON.stringify(batch));
    // Changed in place: the new copies go out as stored (a repeat inside the batch answers the very
    // copy of its first item), the copies of an earlier send's key as they are now.
    (batch.messages[0]!.payload as Record<string, unknown>).first = 'changed';
    (batch.messages[1]!.payload as Record<string, unknown>).fan = 'changed';
    (batch.messages[3]!.payload as unknown[]).push(4);
    const answer = JSON.parse(encodeSendAnswer(batch).text) as typeof batch;
    expect(answer.messages.map((m) => m.payload)).toEqual([
      { first: 'changed', PAD },
      { fan: 'out', PAD },
      { fan: 'out', PAD },
      [1, 2, 3, PAD],
      [1, 2, 3, PAD],
      null,
    ]);
    const repeated = await store.send(input({ from: 'a', to: 'b', idempotencyKey: 'k1' }));
    expect(repeated.duplicate).toBe(true);
    expect(encodeSendAnswer(repeated).text).toBe(JSON.stringify(repeated));
  });
});

describe('answers of a store that keeps no payload texts (memory)', () => {
  test('are serialized whole', async () => {
    const store = new MemoryMessageStore();
    opened.push(store);
    const sent = await store.send(input({ from: 'a', to: 'b', payload: { n: 1, PAD } }));
    (sent.messages[0]!.payload as { n: number }).n = 2;
    expect(encodeSendAnswer(sent).text).toBe(JSON.stringify(sent));
    expect(encodeSendAnswer(sent).text).toContain('"payload":{"n":2,');
    const deliveries = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(encodeReceiveAnswer(deliveries).text).toBe(JSON.stringify({ deliveries, count: 1 }));
  });
});
