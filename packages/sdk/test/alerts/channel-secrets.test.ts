// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../src/fleet/format-problem.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { redactFleet } from '../../src/fleet/redact.ts';

const TOKEN = 'tk-9c1e5a7b3d';
const PASSWORD = 'pw-4f8a2c6e0b';
const SLACK = 'https://hooks.slack.example/services/T0/B0/XXXXSECRET';

const fleetFile = (channels: string[]) =>
  [
    'version: 1',
    'hosts: { ezra: { address: 10.0.0.5 } }',
    'services:',
    '  bus: { kind: bus, host: ezra, port: 8650 }',
    'alerts:',
    '  channels:',
    ...channels.map((line) => `    ${line}`),
  ].join('\n');

const LITERAL = fleetFile([
  `phone: { type: ntfy, url: https://ntfy.sh, topic: ops, token: ${TOKEN} }`,
  `ops-room: { type: matrix, homeserver: https://m.example.org, room: "!r:m.example.org", accessToken: ${TOKEN} }`,
  `chat: { type: slack, url: "${SLACK}" }`,
  `mail: { type: email, smtp: { host: mail.example.org, port: 587, user: a, password: ${PASSWORD} }, from: a@example.org, to: [b@example.org] }`,
  `hook: { type: webhook, url: https://h.example.org/x, headers: { Authorization: Bearer ${TOKEN}, X-Team: ops } }`,
]);

describe('alert channel secrets in the fleet file', () => {
  test('each credential written literally loads with a warning at its line that names a variable to use', () => {
    const { value, errors, warnings } = parseFleet(LITERAL, { env: {} });
    expect(errors).toEqual([]);
    expect(value).toBeDefined();
    expect(warnings.map(formatProblem)).toEqual([
      'fleet.yaml:7:67 warning: alerts.channels.phone.token: the token is written in the file; reference an environment variable instead, e.g. ${ALERT_PHONE_TOKEN}',
      'fleet.yaml:8:105 warning: alerts.channels.ops-room.accessToken: the access token is written in the file; reference an environment variable instead, e.g. ${ALERT_OPS_ROOM_ACCESS_TOKEN}',
      'fleet.yaml:9:31 warning: alerts.channels.chat.url: the Slack webhook URL is written in the file; reference an environment variable instead, e.g. ${ALERT_CHAT_URL}',
      'fleet.yaml:10:88 warning: alerts.channels.mail.smtp.password: the SMTP password is written in the file; reference an environment variable instead, e.g. ${ALERT_MAIL_PASSWORD}',
      'fleet.yaml:11:84 warning: alerts.channels.hook.headers.Authorization: the Authorization header is written in the file; reference an environment variable instead, e.g. ${ALERT_HOOK_AUTHORIZATION}',
    ]);
  });

  test('redactFleet masks literal credentials and shows the references of the others', () => {
    const literal = JSON.stringify(redactFleet(parseFleet(LITERAL, { env: {} }).value!));
    for (const secret of [TOKEN, PASSWORD, 'XXXXSECRET']) expect(literal).not.toContain(secret);
    expect(literal).toContain('"X-Team":"ops"');

    const referenced = fleetFile([
      'phone: { type: ntfy, url: https://ntfy.sh, topic: ops, token: "${NTFY_TOKEN}" }',
      'chat: { type: slack, url: "${SLACK_URL}" }',
    ]);
    const { value, warnings } = parseFleet(referenced, { env: { NTFY_TOKEN: TOKEN, SLACK_URL: SLACK } });
    expect(warnings).toEqual([]);
    expect(value?.alerts?.channels.phone).toMatchObject({ token: TOKEN });
    expect(redactFleet(value!).alerts?.channels).toMatchObject({
      phone: { token: '${NTFY_TOKEN}' },
      chat: { url: '${SLACK_URL}' },
    });
  });
});
