import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import { ChannelSpec, type ChannelSpecInput, createChannel } from '../../src/alerts/channel-spec.ts';
import { isChannelError } from '../../src/alerts/channels/channel-error.ts';
import { downMessage, freshDbPath, onCleanup } from './_alerting.ts';
import { type HttpReceiver, startHttpReceiver } from './_receivers.ts';

// Receivers that quote one part of the URL or header that holds their credential, as some do.

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

async function errorOf(spec: ChannelSpecInput): Promise<string> {
  const error = await createChannel('ops', ChannelSpec.parse(spec))
    .send(downMessage('a1'))
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  if (!isChannelError(error)) throw new Error(`expected a ChannelError, got ${String(error)}`);
  return error.message;
}

const lastSegment = (url: string) => new URL(url, 'http://x').pathname.split('/').at(-1);

describe('a channel error never shows the part of a credential a receiver quotes', () => {
  test("a webhook's query value quoted alone", async () => {
    receiver.answer((request) => ({
      status: 401,
      body: `invalid token ${new URL(request.url, 'http://x').searchParams.get('token')}`,
    }));
    const shown = await errorOf({
      type: 'webhook',
      url: `${receiver.url}/hooks/fleet?token=QUERYSECRET99&channel=ops`,
    });
    expect(shown).toBe(`webhook channel "ops": HTTP 401 from ${receiver.url}: invalid token ***`);
  });

  test("a webhook's query value quoted percent-decoded", async () => {
    receiver.answer((request) => ({
      status: 403,
      body: `bad signature ${new URL(request.url, 'http://x').searchParams.get('sig')}`,
    }));
    const shown = await errorOf({ type: 'webhook', url: `${receiver.url}/hooks?sig=Zm9v%2Bbar%2FSIGSECRET` });
    expect(shown).toBe(`webhook channel "ops": HTTP 403 from ${receiver.url}: bad signature ***`);
  });

  test("one segment of a webhook's path, and of a Slack webhook's", async () => {
    receiver.answer((request) => ({ status: 404, body: `unknown hook ${lastSegment(request.url)}` }));
    expect(await errorOf({ type: 'webhook', url: `${receiver.url}/hooks/PATHSECRET77` })).toBe(
      `webhook channel "ops": HTTP 404 from ${receiver.url}: unknown hook ***`,
    );
    expect(await errorOf({ type: 'slack', url: `${receiver.url}/services/T0AB12CD/B0EF34GH/SLACKSECRET55` })).toBe(
      `slack channel "ops": HTTP 404 from ${receiver.url}: unknown hook ***`,
    );
  });

  test('a short secret segment (a Zapier catch hook) is hidden too', async () => {
    receiver.answer((request) => ({ status: 404, body: `no hook ${lastSegment(request.url)} here` }));
    const shown = await errorOf({ type: 'webhook', url: `${receiver.url}/hooks/catch/123456/ab1cd2` });
    expect(shown).toBe(`webhook channel "ops": HTTP 404 from ${receiver.url}: no hook *** here`);
  });

  test('the first characters of a secret quoted, cut short', async () => {
    receiver.answer({ status: 401, body: 'token QUERYSECR... is not valid' });
    const shown = await errorOf({ type: 'webhook', url: `${receiver.url}/hooks?token=QUERYSECRET99` });
    expect(shown).toBe(`webhook channel "ops": HTTP 401 from ${receiver.url}: token ***... is not valid`);
  });

  test("a webhook's Authorization header quoted without its scheme", async () => {
    receiver.answer((request) => ({
      status: 401,
      body: `unknown token ${String(request.headers.authorization).split(' ')[1]}`,
    }));
    const shown = await errorOf({
      type: 'webhook',
      url: `${receiver.url}/hooks`,
      headers: { Authorization: 'Bearer HEADERSECRET42' },
    });
    expect(shown).toBe(`webhook channel "ops": HTTP 401 from ${receiver.url}: unknown token ***`);
  });

  test('common short words of the URL stay readable in the answer', async () => {
    receiver.answer({ status: 410, body: 'hooks of fleet are gone, use v2' });
    const shown = await errorOf({ type: 'webhook', url: `${receiver.url}/api/hooks/fleet?v=1` });
    expect(shown).toBe(`webhook channel "ops": HTTP 410 from ${receiver.url}: hooks of fleet are gone, use v2`);
  });

  test('words of headers that describe the request, of common URL words and inside longer secrets stay readable', async () => {
    const reply = 'unsupported application version; incoming webhook needs json; production quota exceeded';
    receiver.answer({ status: 400, body: reply });
    const shown = await errorOf({
      type: 'webhook',
      url: `${receiver.url}/api/incoming/webhook`,
      headers: { 'Content-Type': 'application/json', 'X-Env': 'fleet-production' },
    });
    expect(shown).toBe(`webhook channel "ops": HTTP 400 from ${receiver.url}: ${reply}`);
    receiver.answer({ status: 404, body: 'no such services path' });
    expect(await errorOf({ type: 'slack', url: `${receiver.url}/services/T0AB12CD/B0EF34GH/SLACKSECRET55` })).toBe(
      `slack channel "ops": HTTP 404 from ${receiver.url}: no such services path`,
    );
  });

  test("an ntfy topic (the URL's path, a credential on a public server) quoted by the server", async () => {
    receiver.answer((request) => ({ status: 403, body: `topic ${lastSegment(request.url)} is reserved` }));
    const shown = await errorOf({ type: 'ntfy', url: receiver.url, topic: 'fleet-ops-7f3k2' });
    expect(shown).toBe(`ntfy channel "ops": HTTP 403 from ${receiver.url}: topic *** is reserved`);
  });

  test('nor does the outbox log or its logger show it', async () => {
    receiver.answer((request) => ({
      status: 401,
      body: `invalid token ${new URL(request.url, 'http://x').searchParams.get('token')}`,
    }));
    const warnings: string[] = [];
    const spec = ChannelSpec.parse({ type: 'webhook', url: `${receiver.url}/hooks?token=QUERYSECRET99` });
    const outbox = new AlertOutbox({
      dbPath: freshDbPath(),
      channels: { ops: createChannel('ops', spec) },
      logger: { warn: (...parts: unknown[]) => warnings.push(parts.join(' ')) },
    });
    onCleanup(() => outbox.close());
    outbox.enqueue(downMessage('a1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    const [logged] = outbox.recent();
    expect(logged?.error).toBe(`http_error: webhook channel "ops": HTTP 401 from ${receiver.url}: invalid token ***`);
    expect(warnings).toHaveLength(1);
    expect(warnings.join('\n')).not.toContain('QUERYSECRET99');
  });
});
