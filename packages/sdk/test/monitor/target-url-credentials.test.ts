import { describe, expect, test } from 'vitest';
import { redactUrlCredentials } from '../../src/internal/url-credentials.ts';
import { networkReason } from '../../src/monitor/internal/network-reason.ts';
import { probeUrl } from '../../src/monitor/probe-url.ts';
import { describeError } from '../../src/monitor/readers/describe-error.ts';
import { parseCondition } from '../../src/schemas/condition/parse-condition.ts';
import { MonitorTarget } from '../../src/schemas/monitor.ts';
import { openMonitor, startTarget, targetFor } from './_monitor.ts';

const PASSWORD = 's3cret-pass';

/** The message of what `run` throws (it must throw). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('monitor target URLs with credentials', () => {
  test('the target schema refuses user:password@ in the url, naming the field, without the password', () => {
    const parsed = MonitorTarget.safeParse(targetFor('api', `http://ops:${PASSWORD}@127.0.0.1:9/health`));
    expect(parsed.success).toBe(false);
    const issues = parsed.error?.issues ?? [];
    expect(issues.map((issue) => issue.path)).toEqual([['url']]);
    expect(issues[0]?.message).toMatch(/must not include credentials.*headers/);
    expect(JSON.stringify(issues)).not.toContain(PASSWORD);
  });

  test('a user name alone is refused too', () => {
    expect(MonitorTarget.safeParse(targetFor('api', 'http://ops@127.0.0.1:9/health')).success).toBe(false);
  });

  test('a monitor with such a bus or knowledge target throws a TypeError naming the target and field', () => {
    for (const kind of ['bus', 'knowledge', 'custom'] as const) {
      const error = thrown(() =>
        openMonitor({ targets: [targetFor('backend', `http://ops:${PASSWORD}@127.0.0.1:9/health`, { kind })] }),
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^invalid monitor target "backend": url: must not include credentials/);
      expect(error.message).not.toContain(PASSWORD);
    }
  });

  test('setTargets refuses it the same way and keeps the targets it had', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const error = thrown(() =>
      monitor.setTargets([targetFor('bus', `http://ops:${PASSWORD}@127.0.0.1:9/health`, { kind: 'bus' })]),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^invalid monitor target "bus": url: /);
    expect(error.message).not.toContain(PASSWORD);
    expect(monitor.statuses().map((status) => status.id)).toEqual(['api']);
  });

  test('probeUrl never sends such a URL and its reason holds no password', async () => {
    const server = await startTarget();
    const url = server.url().replace('http://', `http://ops:${PASSWORD}@`);
    const probe = await probeUrl(url, { conditions: [parseCondition('[STATUS] == 200')] });
    expect(probe).toMatchObject({ ok: false, status: null });
    expect(probe.reason).toMatch(/must not include credentials/);
    expect(probe.reason).not.toContain(PASSWORD);
    expect(server.requests).toHaveLength(0);
  });

  test('an error message that repeats a URL loses its user info in probe reasons and reader errors', async () => {
    // What fetch itself says of such a URL, with the URL as the cause's message too.
    let fetchError: unknown;
    try {
      await fetch(`http://ops:${PASSWORD}@127.0.0.1:9/health`);
    } catch (error) {
      fetchError = error;
    }
    expect(String(fetchError)).toContain(PASSWORD);
    const withCause = new TypeError('fetch failed', { cause: fetchError });
    for (const reason of [networkReason(fetchError, 1000), networkReason(withCause, 1000), describeError(fetchError)]) {
      expect(reason).toContain('http://***@127.0.0.1:9/health');
      expect(reason).not.toContain(PASSWORD);
    }
  });

  test('redaction covers user names alone, @ in passwords, several URLs, and leaves other text be', () => {
    expect(redactUrlCredentials('a http://u@h/x, b https://u:p@ss@h:1/y?z=a@b c')).toBe(
      'a http://***@h/x, b https://***@h:1/y?z=a@b c',
    );
    expect(redactUrlCredentials('http://h/x@y and mail ops@example.org: refused')).toBe(
      'http://h/x@y and mail ops@example.org: refused',
    );
    // The messages that explain the rule keep their wording; a URL ending at its `@` loses its user info.
    expect(redactUrlCredentials('must not include credentials (user:password@); no user:password@, query')).toBe(
      'must not include credentials (user:password@); no user:password@, query',
    );
    expect(redactUrlCredentials('invalid peer "http://u:p@": bad')).toBe('invalid peer "http://***@": bad');
  });
});
