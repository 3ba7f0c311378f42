import { describe, expect, test } from 'vitest';
import { probeUrl } from '../../src/monitor/probe-url.ts';
import { parseCondition } from '../../src/schemas/condition/parse-condition.ts';
import { openMonitor, startTarget, targetFor } from './_monitor.ts';

// fetch refuses a header value it cannot send with an error that quotes the whole value (a token):
// the probe's reason says what went wrong in fixed words instead, and nothing is sent.

const SECRET = 's3cr3t-part-one';

describe('a probe whose headers cannot be sent', () => {
  test.each([
    ['a line break', `Bearer ${SECRET}\ns3cr3t-part-two`],
    ['a NUL', `Bearer ${SECRET}\u0000x`],
    ['a character beyond Latin-1', `Bearer ${SECRET}\u20ac`],
  ])('with %s in a value fails with "invalid request header", without the value', async (_, value) => {
    const server = await startTarget();
    const probe = await probeUrl(server.url(), {
      conditions: [parseCondition('[STATUS] == 200')],
      headers: { authorization: value },
    });
    expect(probe).toMatchObject({ ok: false, status: null, reason: 'invalid request header' });
    expect(server.requests).toHaveLength(0);
  });

  test("a monitored target's last error and status never show the value", async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { headers: { Authorization: `Bearer ${SECRET}\ns3cr3t-part-two` } })],
    });
    const [result] = await monitor.probeNow(['api']);
    expect(result).toMatchObject({ ok: false, status: null, error: 'invalid request header' });
    expect(monitor.statuses()[0]?.lastError).toBe('invalid request header');
    expect(JSON.stringify(monitor.statuses())).not.toContain('s3cr3t');
    expect(server.requests).toHaveLength(0);
  });
});
