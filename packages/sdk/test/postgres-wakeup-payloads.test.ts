import { describe, expect, test } from 'vitest';
import { MAX_PAYLOAD_BYTES, parsePayload, payloadsOf } from '../src/bus/postgres/wakeup-payloads.ts';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('wakeup notification payloads', () => {
  test('carry each id with its recipient, names with : and @ included, and read back the same', () => {
    const copies = [
      { id: id(1), to: 'worker-1' },
      { id: id(2), to: 'team:ops@site.a' },
      { id: id(3), to: 'worker-1' },
    ];
    const payloads = payloadsOf('r1', copies);
    expect(payloads).toHaveLength(1);
    const notice = parsePayload(payloads[0]!);
    expect(notice.replica).toBe('r1');
    expect(notice.copies.sort((a, b) => a.id.localeCompare(b.id))).toEqual(copies);
  });

  test('split below the size limit, every copy in exactly one payload', () => {
    const copies = Array.from({ length: 2000 }, (_, n) => ({ id: id(n), to: `agent-${n % 37}-${'x'.repeat(n % 90)}` }));
    const payloads = payloadsOf('r1', copies);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const read = payloads.flatMap((payload) => parsePayload(payload).copies);
    expect(read.sort((a, b) => a.id.localeCompare(b.id))).toEqual(copies);
  });

  test('a recipient no agent name can be goes without it, and is read as unknown', () => {
    const payloads = payloadsOf('r1', [
      { id: id(1), to: 'a,b=c' },
      { id: id(2), to: 'ok' },
    ]);
    expect(payloads.flatMap((payload) => parsePayload(payload).copies)).toEqual([
      { id: id(2), to: 'ok' },
      { id: id(1), to: undefined },
    ]);
  });

  test("an older replica's payload (ids without recipients) reads as ids of unknown recipients", () => {
    expect(parsePayload(`r0:${id(1)},${id(2)}`)).toEqual({
      replica: 'r0',
      copies: [
        { id: id(1), to: undefined },
        { id: id(2), to: undefined },
      ],
    });
  });

  test('what an older replica reads of a payload (its second part) is every id', () => {
    const [payload] = payloadsOf('r1', [
      { id: id(1), to: 'x:y' },
      { id: id(2), to: 'z' },
    ]);
    // The older replica's parser: `const [replica, list] = payload.split(':')`.
    const [replica, list] = payload!.split(':');
    expect(replica).toBe('r1');
    expect(list!.split(',').sort()).toEqual([id(1), id(2)]);
  });
});
