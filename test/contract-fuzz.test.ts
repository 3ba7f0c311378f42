import { ErrorEnvelope, type SseEvent } from '@fleet/sdk';
import { closedPort } from '@fleet/test-utils/closed-port';
import { randomTools, seededRandom } from '@fleet/test-utils/mulberry32';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { brokenCases, type FuzzCase } from './_contract-fuzz/broken-requests.ts';
import { answerProblems } from './_contract-fuzz/check-answer.ts';
import { eventProblems, isEventStream } from './_contract-fuzz/check-events.ts';
import { DEEP_LEVELS, deepArrays } from './_contract-fuzz/field-mutations.ts';
import type { FieldOverrides } from './_contract-fuzz/random-value.ts';
import { openEventStream } from './_contract-fuzz/read-events.ts';
import { exampleParts, type OperationUnderTest, randomParts, requestOf } from './_contract-fuzz/request-parts.ts';
import { describeExchange, send } from './_contract-fuzz/send.ts';
import { type ServerUnderTest, startBusOnPostgres, startServersUnderTest, TOKEN } from './_contract-fuzz/servers.ts';
import type { BodySigner } from './_contract-fuzz/webhook-signature.ts';

/** Replay another run with FLEET_FUZZ_SEED=<seed>; the failure report prints the seed. */
const SEED = Number(process.env.FLEET_FUZZ_SEED ?? 20261205);
/** Requests generated from the schemas per operation, besides the contract's example. */
const GENERATED_PER_OPERATION = 8;

/** A stable stream number per operation: adding a route does not change the others' requests. */
function streamOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * Every request of one operation: its example, generated valid requests, then the broken ones. A
 * route authenticated by a signature (the deploy hook's) gets every request signed, and instead of
 * the token cases, deliveries signed wrong.
 */
function casesFor(op: OperationUnderTest, overrides: FieldOverrides, signer: BodySigner | undefined): FuzzCase[] {
  const tools = randomTools(seededRandom(SEED, streamOf(`${op.method} ${op.path}`)));
  const example = exampleParts(op, overrides);
  const valid = [
    requestOf(op, example, 'valid: the example', TOKEN),
    ...Array.from({ length: GENERATED_PER_OPERATION }, (_, i) =>
      requestOf(op, randomParts(op, tools, overrides), `valid: generated #${i + 1}`, TOKEN),
    ),
  ];
  if (signer?.path !== op.path) return [...valid, ...brokenCases(op, example, tools, TOKEN)];
  const broken = brokenCases(op, example, tools, TOKEN, { tokenAuth: false });
  return [...[...valid, ...broken].map((c) => ({ ...c, ...signer.sign(c) })), ...signer.broken(valid[0]!)].map((c) => ({
    ...c,
    bySignature: true,
  }));
}

/**
 * Sends every case of every operation of `server` and fails with each request that broke the
 * contract, its answer and what the server logged.
 */
async function expectContractKept(server: ServerUnderTest, testOverrides: FieldOverrides): Promise<void> {
  const overrides = { ...testOverrides, ...server.overrides };
  expect(server.operations.length).toBeGreaterThanOrEqual(5);
  const failures: string[] = [];
  let sent = 0;
  let accepted = 0;
  for (const op of server.operations) {
    for (const c of casesFor(op, overrides, server.signer)) {
      const answer = await send(server.url, c).catch((error: Error) => error);
      sent++;
      if (!(answer instanceof Error) && answer.status < 300) accepted++;
      const problems = answer instanceof Error ? [] : answerProblems(c, answer, op);
      const log = server.drainLog();
      if (answer instanceof Error || problems.length > 0) {
        const logged = log.length > 0 ? `\n  server logged: ${log.join('\n    ')}` : '';
        failures.push(`${describeExchange(c, answer)}\n  ${problems.join('\n  ')}${logged}`);
      }
    }
  }
  if (failures.length > 0)
    expect.fail(
      `${failures.length} of ${sent} requests broke the contract (seed ${SEED}):\n\n${failures.join('\n\n')}`,
    );
  // Most routes answered some requests with success, whose bodies were checked against their schema.
  expect(accepted).toBeGreaterThan(server.operations.length);
}

/** How long a stream may take to send the events its causes make, per round (a hang guard, no speed target). */
const EVENTS_WITHIN_MS = 3000;
/** Rounds of causes: the first may come before the stream's subscription is in place. */
const CAUSE_ROUNDS = 3;

/**
 * Opens every documented event stream of `server` with its example, makes events with the
 * server's documented causes (their examples), reads them, and fails with each event whose data
 * is not what the document declares for it.
 */
async function expectEventsKept(server: ServerUnderTest, overrides: FieldOverrides): Promise<void> {
  const streams = server.operations.filter(isEventStream);
  expect(streams.length, `${server.name} documents an event stream`).toBeGreaterThan(0);
  for (const op of streams) {
    const { causes: documented = [], atOnce = 0 } = server.eventCauses?.[op.path] ?? {};
    const causes = documented.map((cause) => {
      const found = server.operations.find((candidate) => `${candidate.method} ${candidate.path}` === cause);
      if (!found) throw new Error(`${server.name}: ${cause} is not documented`);
      return found;
    });
    expect(causes.length, `${server.name}: what makes ${op.path} send events`).toBeGreaterThan(0);
    const stream = await openEventStream(server.url, requestOf(op, exampleParts(op, overrides), op.path, TOKEN));
    try {
      expect(stream.status, op.path).toBe(200);
      expect(stream.contentType, op.path).toMatch(/^text\/event-stream/);
      let events: SseEvent[] = [];
      const expected = atOnce + causes.length;
      for (let round = 1; round <= CAUSE_ROUNDS && events.length < expected; round++) {
        for (const cause of causes) {
          const answer = await send(server.url, requestOf(cause, exampleParts(cause, overrides), 'cause', TOKEN));
          expect(answer.status, `${cause.method} ${cause.path}: ${answer.text}`).toBeLessThan(300);
        }
        events = await stream.eventsUntil(expected, EVENTS_WITHIN_MS);
      }
      expect(events.length, `${op.path}: events after ${CAUSE_ROUNDS} rounds of causes`).toBeGreaterThanOrEqual(
        expected,
      );
      expect(eventProblems(op, events), `${server.name} ${op.path}`).toEqual([]);
      expect(server.drainLog()).toEqual([]);
    } finally {
      stream.close();
    }
  }
}

describe('every server survives its own contract', () => {
  let servers: ServerUnderTest[] = [];
  let overrides: FieldOverrides = {};
  beforeAll(async () => {
    const port = await closedPort();
    // Values the servers act on: no long poll waits, and a peer URL answers at once (refused).
    overrides = { waitSeconds: () => 0, url: () => `http://127.0.0.1:${port}` };
    servers = await startServersUnderTest(port);
  });
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  test.each([
    ['bus', 'the bus'],
    ['knowledge', 'a knowledge node'],
    ['dashboard', 'the dashboard'],
    ['deploy hook', 'the deploy webhook'],
  ])(
    '%s: %s answers requests made from its /openapi.json within that document (no 5xx, the envelope on every 4xx, 2xx bodies of the documented schema)',
    async (name) => {
      await expectContractKept(servers.find((candidate) => candidate.name === name)!, overrides);
    },
  );

  test('POST /fact with a value nested 20,000 arrays deep is refused with 400 naming the value', async () => {
    const knowledge = servers.find((server) => server.name === 'knowledge')!;
    const deep = deepArrays(DEEP_LEVELS);
    const answer = await send(knowledge.url, {
      label: 'deep fact',
      method: 'POST',
      target: '/fact',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: `{"key":"hosts/ezra","value":${deep}}`,
    });
    expect(answer.status).toBe(400);
    expect(ErrorEnvelope.parse(JSON.parse(answer.text)).error).toEqual({
      code: 'validation_failed',
      message: 'value: must be a JSON value nested at most 128 levels deep (arrays and objects)',
      details: { issues: [{ field: 'value', code: 'custom', message: expect.stringContaining('128 levels') }] },
    });
  });

  test.each([['bus'], ['knowledge'], ['dashboard']])(
    '%s: the events of each documented event stream are JSON of the schema the document declares for them',
    async (name) => {
      await expectEventsKept(servers.find((candidate) => candidate.name === name)!, overrides);
    },
  );

  test("a signed push to the deploy hook's repository and ref deploys, through a function that runs nothing", async () => {
    const hook = servers.find((server) => server.name === 'deploy hook')!;
    const op = hook.operations.find((candidate) => candidate.path === '/webhook')!;
    const commit = 'feed'.repeat(10);
    const request = requestOf(op, exampleParts(op, { after: () => commit }), 'signed push', TOKEN);
    const answer = await send(hook.url, hook.signer!.sign(request));
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.text)).toMatchObject({ accepted: true, commit });
    await vi.waitFor(() => expect(hook.deployed).toContain(commit));
    // The same push unsigned is refused before it reaches the queue.
    const unsigned = await send(hook.url, { ...request, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    expect(hook.deployed!.filter((deployed) => deployed === commit)).toHaveLength(1);
  });

  test('a write without the token is refused with 401 and the envelope, on every server', async () => {
    const writes = servers.flatMap((server) =>
      server.operations.filter((op) => op.method !== 'GET' && op.operation.security).map((op) => ({ server, op })),
    );
    expect(writes.length).toBeGreaterThan(10);
    for (const { server, op } of writes) {
      const request = requestOf(op, exampleParts(op, overrides), 'no token', TOKEN);
      const { authorization: _, ...headers } = request.headers;
      const answer = await send(server.url, { ...request, headers });
      expect(answer.status, `${server.name} ${op.method} ${op.path}`).toBe(401);
      expect(ErrorEnvelope.parse(JSON.parse(answer.text)).error.code).toBe('unauthorized');
    }
  });
});

describe.skipIf(!hasPostgres())('the bus on PostgreSQL survives its own contract', () => {
  let postgres: TestPostgres | undefined;
  let bus: ServerUnderTest | undefined;
  beforeAll(async () => {
    postgres = await startPostgres();
    bus = await startBusOnPostgres(await postgres.createDatabase('contract_fuzz'));
  });
  afterAll(async () => {
    await bus?.close();
    await postgres?.stop();
  });

  test('the bus over PostgresMessageStore answers requests made from its /openapi.json within that document', async () => {
    await expectContractKept(bus!, { waitSeconds: () => 0 });
  });

  test('the events of its stream are messages of the documented schema', async () => {
    await expectEventsKept(bus!, { waitSeconds: () => 0 });
  });
});
