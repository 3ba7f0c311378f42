import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AlertMessage } from '../../src/alerts/alert-message.ts';
import { ChannelSpec, type ChannelSpecInput, createChannel } from '../../src/alerts/channel-spec.ts';
import { type HttpReceiver, startHttpReceiver } from './_receivers.ts';

// A long report: 300 lines of aligned columns, some with non-ASCII text (multi-byte in UTF-8).
const lines = Array.from(
  { length: 300 },
  (_, index) => `  wizard-${String(index).padStart(3, '0')}  gpu-${index % 7}  up    99.${index % 10}0%  0s  äöü`,
);
const report = AlertMessage.parse({
  id: 'report-morning-1796450400000',
  kind: 'report',
  severity: 'info',
  title: '[prod] Fleet report: morning, last 1d',
  text: `Fleet report: prod\n\nTargets\n${lines.join('\n')}`,
  targets: [],
  fleet: 'prod',
  at: '2026-12-05T06:00:00.000Z',
});

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function channel(spec: ChannelSpecInput) {
  return createChannel('ops', ChannelSpec.parse(spec));
}

describe('a report on the chat channels', () => {
  test('ntfy gets at most 4096 bytes, cut on a line boundary with a last line saying so', async () => {
    await channel({ type: 'ntfy', url: receiver.url, topic: 'fleet' }).send(report);
    const body = receiver.requests[0]?.body ?? '';
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(body, 'utf8')).toBeGreaterThan(4096 - 200);
    const sent = body.split('\n');
    expect(sent.at(-1)).toBe('… (truncated: run fleet report for the whole report)');
    // Every line but the notice is a whole line of the report, in order from the start.
    expect(sent.slice(0, -1)).toEqual(report.text.split('\n').slice(0, sent.length - 1));
    expect(receiver.requests[0]?.headers.tags).toBe('clipboard,report');
    expect(receiver.requests[0]?.headers.priority).toBe('3');
  });

  test('ntfy gets a report that fits as it is', async () => {
    const short = { ...report, text: lines.slice(0, 3).join('\n') };
    await channel({ type: 'ntfy', url: receiver.url, topic: 'fleet' }).send(short);
    expect(receiver.requests[0]?.body).toBe(short.text);
  });

  test('Matrix gets the report in <pre> (escaped), Slack in a code block', async () => {
    const text = 'Targets\n  api  <local>  down  2 incidents';
    await channel({
      type: 'matrix',
      homeserver: receiver.url,
      room: '!room:example.org',
      accessToken: 'syt_token',
    }).send({ ...report, text });
    const event = JSON.parse(receiver.requests[0]?.body ?? '{}') as { body: string; formatted_body: string };
    expect(event.formatted_body).toBe(
      '<strong>[prod] Fleet report: morning, last 1d</strong><br><pre>Targets\n  api  &lt;local&gt;  down  2 incidents</pre>',
    );
    expect(event.body).toBe(`[prod] Fleet report: morning, last 1d\n${text}`);

    await channel({ type: 'slack', url: `${receiver.url}/services/T/B/X` }).send({ ...report, text });
    const slack = JSON.parse(receiver.requests[1]?.body ?? '{}') as { text: string };
    expect(slack.text).toBe(
      '*[prod] Fleet report: morning, last 1d*\n```\nTargets\n  api  &lt;local&gt;  down  2 incidents\n```',
    );
  });

  test('the webhook channel posts the report object with the message', async () => {
    const withReport = AlertMessage.parse({
      ...report,
      report: {
        fleet: 'prod',
        generatedAt: '2026-12-05T06:00:00.000Z',
        since: '2026-12-04T06:00:00.000Z',
        until: '2026-12-05T06:00:00.000Z',
        targets: [],
        deploys: [],
        bus: [],
        knowledge: [],
        problems: [],
        gaps: [{ source: 'dashboard', error: 'connection refused' }],
      },
    });
    await channel({ type: 'webhook', url: `${receiver.url}/hook` }).send(withReport);
    expect(AlertMessage.parse(JSON.parse(receiver.requests[0]?.body ?? '{}')).report?.gaps).toEqual([
      { source: 'dashboard', error: 'connection refused' },
    ]);
  });
});
