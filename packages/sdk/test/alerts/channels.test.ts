import { closedPort } from '@fleet/test-utils/closed-port';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AlertMessage } from '../../src/alerts/alert-message.ts';
import { AlertsSpec } from '../../src/alerts/alerts-spec.ts';
import { ChannelSpec, type ChannelSpecInput, createChannel } from '../../src/alerts/channel-spec.ts';
import { ChannelError, isChannelError } from '../../src/alerts/channels/channel-error.ts';
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from './_receivers.ts';

const message = AlertMessage.parse({
  id: 'alert-01JBZ3K6V8Q2',
  kind: 'down',
  severity: 'critical',
  title: '[fleet] bus is DOWN on vps1',
  text: 'Target: bus\nHost: vps1\nSince: 2026-12-05T15:58:00Z\nReason: HTTP 502 <bad gateway> & "retry"',
  targets: ['bus'],
  host: 'vps1',
  fleet: 'prod',
  at: '2026-12-05T16:00:00.000Z',
  url: 'https://dash.example.org/targets/bus',
});

const TOKEN = 'tk_live_s3cr3t_value';

function channel(spec: ChannelSpecInput, name = 'ops') {
  return createChannel(name, ChannelSpec.parse(spec));
}

async function failure(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isChannelError(error)) throw new Error(`expected a ChannelError, got ${String(error)}`);
  return error;
}

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('HTTP channels deliver to real receivers', () => {
  test('webhook POSTs the alert as JSON with the headers of its spec', async () => {
    const webhook = channel({
      type: 'webhook',
      url: `${receiver.url}/hooks/fleet?key=abc`,
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    await webhook.send(message);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/hooks/fleet?key=abc' });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(AlertMessage.parse(JSON.parse(request!.body))).toEqual(message);
  });

  test('ntfy POSTs the text to <url>/<topic> with Title, Priority from the severity, Tags, Click and the token', async () => {
    const ntfy = channel({ type: 'ntfy', url: `${receiver.url}/`, topic: 'fleet-ops', token: TOKEN });
    await ntfy.send(message);
    await ntfy.send({ ...message, severity: 'warning', kind: 'degraded' });
    await ntfy.send({ ...message, severity: 'info', kind: 'recovered' });
    const [down, degraded, recovered] = receiver.requests;
    expect(down).toMatchObject({ method: 'POST', url: '/fleet-ops' });
    expect(down!.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      title: '[fleet] bus is DOWN on vps1',
      priority: '5',
      tags: 'rotating_light,down',
      click: 'https://dash.example.org/targets/bus',
    });
    expect(down!.body).toBe(`${message.text}\n\nhttps://dash.example.org/targets/bus`);
    expect(down!.body).not.toContain(TOKEN);
    expect([degraded!.headers.priority, recovered!.headers.priority]).toEqual(['4', '3']);
    expect(recovered!.headers.tags).toBe('white_check_mark,recovered');
  });

  test('ntfy sends a title outside ASCII as an RFC 2047 encoded word, and a priority set in the spec wins', async () => {
    const ntfy = channel({ type: 'ntfy', url: receiver.url, topic: 'fleet-ops', priority: 'urgent' });
    await ntfy.send({ ...message, severity: 'info', title: '[fleet] bus — DOWN on vps1 ✗' });
    const { headers } = receiver.requests[0]!;
    expect(headers.priority).toBe('5');
    expect(headers.authorization).toBeUndefined();
    const encoded = /^=\?UTF-8\?B\?(.+)\?=$/.exec(String(headers.title));
    expect(Buffer.from(encoded![1]!, 'base64').toString('utf8')).toBe('[fleet] bus — DOWN on vps1 ✗');
  });

  test('matrix PUTs an m.text message to the room (id URL-encoded) with the alert id as transaction id', async () => {
    const matrix = channel({
      type: 'matrix',
      homeserver: `${receiver.url}/`,
      room: '!AbCdEf:conduit.example.org',
      accessToken: TOKEN,
    });
    receiver.answer({ status: 200, body: '{"event_id":"$ev1"}' });
    await matrix.send(message);
    await matrix.send(message);
    const [first, retry] = receiver.requests;
    expect(first!.method).toBe('PUT');
    expect(first!.url).toBe(
      '/_matrix/client/v3/rooms/%21AbCdEf%3Aconduit.example.org/send/m.room.message/alert-01JBZ3K6V8Q2',
    );
    // A resend of the same alert is the same transaction: the homeserver keeps one message.
    expect(retry!.url).toBe(first!.url);
    expect(first!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(first!.body)).toEqual({
      msgtype: 'm.text',
      body: `[fleet] bus is DOWN on vps1\n${message.text}\n\nhttps://dash.example.org/targets/bus`,
      format: 'org.matrix.custom.html',
      formatted_body:
        '<strong>[fleet] bus is DOWN on vps1</strong><br>Target: bus<br>Host: vps1<br>Since: 2026-12-05T15:58:00Z<br>' +
        'Reason: HTTP 502 &lt;bad gateway&gt; &amp; &quot;retry&quot;' +
        '<br><a href="https://dash.example.org/targets/bus">https://dash.example.org/targets/bus</a>',
    });
    expect(first!.body).not.toContain(TOKEN);
  });

  test('slack POSTs {"text"} with the title in bold and &, <, > escaped', async () => {
    const slack = channel({ type: 'slack', url: `${receiver.url}/services/T000/B000/XXXXSECRET` });
    await slack.send(message);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/services/T000/B000/XXXXSECRET' });
    expect(JSON.parse(request!.body)).toEqual({
      text:
        '*[fleet] bus is DOWN on vps1*\nTarget: bus\nHost: vps1\nSince: 2026-12-05T15:58:00Z\n' +
        'Reason: HTTP 502 &lt;bad gateway&gt; &amp; "retry"\n\nhttps://dash.example.org/targets/bus',
    });
  });
});

describe('HTTP channel failures', () => {
  test('a 500 is a retryable ChannelError with the status and what the receiver said', async () => {
    receiver.answer({ status: 500, body: '{"error":"database is locked"}' });
    const error = await failure(channel({ type: 'webhook', url: `${receiver.url}/hook` }).send(message));
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ code: 'http_error', status: 500, retryable: true, channel: 'ops' });
    expect(error.message).toBe(`webhook channel "ops": HTTP 500 from ${receiver.url}: {"error":"database is locked"}`);
  });

  test('a 400 is not retryable; 408 and 429 are, with the wait 429 asked for', async () => {
    const ntfy = channel({ type: 'ntfy', url: receiver.url, topic: 'ops' });
    receiver.answer({ status: 400, body: '{"code":40001,"error":"invalid request"}' });
    expect(await failure(ntfy.send(message))).toMatchObject({ code: 'http_error', status: 400, retryable: false });
    receiver.answer({ status: 408 });
    expect(await failure(ntfy.send(message))).toMatchObject({ status: 408, retryable: true });
    receiver.answer({ status: 429, headers: { 'retry-after': '7' } });
    expect(await failure(ntfy.send(message))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
  });

  test('a receiver that never answers is a retryable timeout', async () => {
    receiver.answer(undefined);
    const matrix = channel({ type: 'matrix', homeserver: receiver.url, room: '!r:example.org', accessToken: TOKEN });
    const error = await failure(matrix.send(message, { timeoutMs: 200 }));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(error.message).toBe('matrix channel "ops": no answer within 200 ms');
    expect(receiver.requests).toHaveLength(1);
  });

  test("the caller's abort stops a send as aborted, not as a timeout", async () => {
    receiver.answer(undefined);
    const controller = new AbortController();
    const sending = channel({ type: 'slack', url: `${receiver.url}/x` }).send(message, { signal: controller.signal });
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await failure(sending)).toMatchObject({ code: 'aborted', retryable: true });
  });

  test('a refused connection is a retryable network error', async () => {
    const port = await closedPort();
    const error = await failure(channel({ type: 'webhook', url: `http://127.0.0.1:${port}/hook` }).send(message));
    expect(error).toMatchObject({ code: 'network', retryable: true });
    expect(error.message).toBe(`webhook channel "ops": cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  test('error messages never show a token or the secret part of a webhook URL', async () => {
    // A receiver that echoes what it got, as some do in their error answers.
    receiver.answer((request) => ({
      status: 401,
      body: `bad token ${request.headers.authorization} for ${request.url}`,
    }));
    const matrix = channel({ type: 'matrix', homeserver: receiver.url, room: '!r:example.org', accessToken: TOKEN });
    const matrixError = await failure(matrix.send(message));
    expect(matrixError).toMatchObject({ status: 401, retryable: false });
    expect(matrixError.message).toContain('bad token Bearer ***');
    expect(matrixError.message).not.toContain(TOKEN);
    const slack = channel({ type: 'slack', url: `${receiver.url}/services/T000/B000/XXXXSECRET` });
    const slackError = await failure(slack.send(message));
    expect(slackError.message).not.toContain('XXXXSECRET');
    expect(slackError.message).toContain(`HTTP 401 from ${receiver.url}`);
  });

  test("a webhook's URL path is its secret too: a receiver repeating it shows ***", async () => {
    receiver.answer((request) => ({ status: 500, body: `Cannot POST ${request.url}` }));
    const webhook = channel({ type: 'webhook', url: `${receiver.url}/hooks/XXXXSECRET` });
    const error = await failure(webhook.send(message));
    expect(error.message).toBe(`webhook channel "ops": HTTP 500 from ${receiver.url}: Cannot POST ***`);
  });
});

describe('email channel', () => {
  let smtp: SmtpReceiver | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  test('sends the title as subject and the text as plain body, authenticated, to every recipient', async () => {
    smtp = await startSmtpReceiver({
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts' && auth.password === TOKEN) callback(null, { user: auth.username });
        else callback(new Error('bad credentials'));
      },
    });
    const email = channel({
      type: 'email',
      smtp: { host: '127.0.0.1', port: smtp.port, user: 'alerts', password: TOKEN },
      from: 'Fleet <alerts@example.org>',
      to: ['ops@example.org', 'oncall@example.org'],
    });
    await email.send(message);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({
      mailFrom: 'alerts@example.org',
      rcptTo: ['ops@example.org', 'oncall@example.org'],
      user: 'alerts',
    });
    expect(mail!.headers.get('from')).toBe('Fleet <alerts@example.org>');
    expect(mail!.headers.get('to')).toBe('ops@example.org, oncall@example.org');
    expect(mail!.headers.get('subject')).toBe('[fleet] bus is DOWN on vps1');
    expect(mail!.headers.get('message-id')).toBe('<alert-01JBZ3K6V8Q2@fleet.alerts>');
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail!.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(mail!.body).toBe(`${message.text}\n\nhttps://dash.example.org/targets/bus`);
    expect(mail!.raw).not.toContain(TOKEN);
  });

  test('a permanent SMTP refusal (550) is not retryable; a transient one (451) is', async () => {
    let reply = 550;
    smtp = await startSmtpReceiver({
      onRcptTo(_address, _session, callback) {
        callback(
          Object.assign(new Error(reply === 550 ? 'no such mailbox' : 'try again later'), { responseCode: reply }),
        );
      },
    });
    const email = channel({
      type: 'email',
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: 'alerts@example.org',
      to: ['nobody@example.org'],
    });
    const permanent = await failure(email.send(message));
    expect(permanent).toMatchObject({ code: 'smtp_error', status: 550, retryable: false });
    expect(permanent.message).toContain('email channel "ops"');
    reply = 451;
    expect(await failure(email.send(message))).toMatchObject({ code: 'smtp_error', status: 451, retryable: true });
    expect(smtp.mails).toEqual([]);
  });

  test('rejected credentials are not retryable and the password is not in the message', async () => {
    smtp = await startSmtpReceiver({
      onAuth(_auth, _session, callback) {
        callback(new Error('authentication failed'));
      },
    });
    const email = channel({
      type: 'email',
      smtp: { host: '127.0.0.1', port: smtp.port, user: 'alerts', password: TOKEN },
      from: 'alerts@example.org',
      to: ['ops@example.org'],
    });
    const error = await failure(email.send(message));
    expect(error).toMatchObject({ code: 'smtp_error', retryable: false });
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('ChannelSpec', () => {
  const issues = (spec: unknown) =>
    (ChannelSpec.safeParse(spec).error?.issues ?? []).map(({ path, message }) => ({ path, message }));

  test('an unknown type names the five channel types', () => {
    expect(issues({ type: 'pagerduty', url: 'https://x.example' })).toEqual([
      { path: ['type'], message: 'must be one of webhook, ntfy, matrix, slack, email' },
    ]);
  });

  test('a bad field is reported at its path with what it must be', () => {
    expect(
      issues({ type: 'matrix', homeserver: 'https://m.example.org', room: '#ops:m.example.org', accessToken: 't' }),
    ).toEqual([
      {
        path: ['room'],
        message:
          'must be a room id such as "!abc123:matrix.example.org" (Element: Room settings > Advanced > Internal room ID), not an alias',
      },
    ]);
    expect(issues({ type: 'ntfy', url: 'ftp://ntfy.example.org', topic: 'has space' })).toEqual([
      { path: ['url'], message: 'must be an http:// or https:// URL' },
      { path: ['topic'], message: 'must be 1-64 letters, digits, "_" or "-" (an ntfy topic)' },
    ]);
    expect(
      issues({ type: 'email', smtp: { host: 'mail.example.org', port: 587, password: 'x' }, from: 'me', to: [] }),
    ).toEqual([
      { path: ['smtp', 'user'], message: 'a password needs a user' },
      { path: ['from'], message: 'must be an email address, e.g. alerts@example.org or "Fleet <alerts@example.org>"' },
      { path: ['to'], message: 'must list at least one address' },
    ]);
  });

  test('a URL with user:password@ is refused (fetch would repeat it, password included, in its error)', () => {
    const hint =
      "must not include credentials (user:password@): give the channel's token (or a webhook's headers) instead";
    expect(issues({ type: 'webhook', url: 'https://ops:s3cret@hooks.example.org/x' })).toEqual([
      { path: ['url'], message: hint },
    ]);
    expect(issues({ type: 'ntfy', url: 'https://ops@ntfy.example.org', topic: 'ops' })).toEqual([
      { path: ['url'], message: hint },
    ]);
    expect(JSON.stringify(issues({ type: 'slack', url: 'https://a:s3cret@hooks.example.org/x' }))).not.toContain(
      's3cret',
    );
  });

  test('alerts.dashboardUrl and heartbeat.url may not carry credentials either', () => {
    const parsed = AlertsSpec.safeParse({
      channels: { ops: { type: 'webhook', url: 'https://hooks.example.org/x' } },
      rules: [{ events: ['down'], channels: ['ops'] }],
      dashboardUrl: 'https://ops:s3cret@dash.example.org',
      heartbeat: { url: 'https://ops:s3cret@hc.example.org/ping' },
    });
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['heartbeat.url', 'dashboardUrl']);
  });

  test('unknown keys are rejected, and ntfy priorities may be named', () => {
    expect(issues({ type: 'slack', url: 'https://hooks.example.org/x', channel: '#ops' })).toEqual([
      { path: [], message: 'Unrecognized key: "channel"' },
    ]);
    expect(ChannelSpec.parse({ type: 'ntfy', url: 'https://ntfy.sh', topic: 'ops', priority: 'high' })).toMatchObject({
      priority: 4,
    });
  });
});
