import type { BusClient } from '../../bus/bus-client.ts';
import { pause } from '../../internal/pause.ts';
import type { KnowledgeClient } from '../../knowledge/knowledge-client.ts';
import type { Message } from '../../schemas/message.ts';
import type { DemoAgentStats } from '../schema.ts';

/** What the loops of one demo agent share. */
export interface DemoLoopContext {
  bus: BusClient;
  knowledge: KnowledgeClient;
  /** Updated in place; `/health` reports it. */
  stats: DemoAgentStats;
  intervalMs: number;
  workMs: number;
  signal: AbortSignal;
  /** Records a failure the loop survives. */
  fail(error: unknown): void;
}

/** The key of the fact where an agent publishes its counters. */
export const statusKey = (agent: string) => `demo/${agent}/status`;

/**
 * One round: sends one to three tasks to the peer (a varying burst, so the bus shows a backlog),
 * publishes this agent's counters as a fact, and reads the peer's.
 */
async function tick(context: DemoLoopContext): Promise<void> {
  const { bus, knowledge, stats, signal } = context;
  stats.ticks += 1;
  const burst = 1 + (stats.ticks % 3);
  const messages = Array.from({ length: burst }, (_, index) => ({
    from: stats.agent,
    to: stats.peer,
    type: 'demo.task',
    payload: { tick: stats.ticks, item: index + 1 },
  }));
  const sent = await bus.sendBatch(messages, { signal });
  stats.sent += sent.count;
  const { ticks, received } = stats;
  const value = { ticks, sent: stats.sent, received, at: new Date().toISOString() };
  await knowledge.put({ key: statusKey(stats.agent), value, tags: ['demo'] }, { signal });
  stats.factsWritten += 1;
  const peerStatus = await knowledge.find(statusKey(stats.peer), { signal });
  if (peerStatus) stats.factsRead += 1;
}

/** Runs a round now and then every `intervalMs` until the signal aborts. */
export async function runTicks(context: DemoLoopContext): Promise<void> {
  while (!context.signal.aborted) {
    try {
      await tick(context);
    } catch (error) {
      if (context.signal.aborted) break;
      context.fail(error);
    }
    await pause(context.intervalMs, context.signal);
  }
}

/** The first pause before receiving starts again after a failure it did not survive; it doubles. */
const RECEIVE_RETRY_MIN_MS = 1000;
/** The longest such pause. */
const RECEIVE_RETRY_MAX_MS = 30_000;

/**
 * Works through this agent's queue with `consume()` (leased receive, ack on success) one task at
 * a time, each taking `workMs`, and records the latest task handled as a fact. A failure that
 * `consume()` does not survive (a refused token, say: it retries transient ones itself) stops
 * receiving, `stats.receiving` false, until it starts again after a pause (1 s, doubling up to
 * 30 s), until the signal aborts.
 */
export async function consumeTasks(context: DemoLoopContext): Promise<void> {
  const { bus, knowledge, stats, signal } = context;
  const handle = async (message: Message) => {
    // Simulated work; not cut short by the signal, so a stopping agent still acks what it holds.
    await pause(context.workMs);
    const value = { from: message.from, payload: message.payload, handledAt: new Date().toISOString() };
    await knowledge.put({ key: `demo/${stats.agent}/last-task`, value, tags: ['demo'] });
    // Counted once handled: a failed write throws above, and consume() nacks the task for a retry.
    stats.received += 1;
    stats.factsWritten += 1;
  };
  let retryMs = RECEIVE_RETRY_MIN_MS;
  while (!signal.aborted) {
    const startedAt = Date.now();
    stats.receiving = true;
    try {
      await bus.consume(stats.agent, handle, { signal, onError: (error) => context.fail(error) });
    } catch (error) {
      if (signal.aborted) break;
      stats.receiving = false;
      context.fail(error);
    }
    // A consumer that ran a good while before it failed starts its pauses over.
    if (Date.now() - startedAt > RECEIVE_RETRY_MAX_MS) retryMs = RECEIVE_RETRY_MIN_MS;
    await pause(retryMs, signal);
    retryMs = Math.min(retryMs * 2, RECEIVE_RETRY_MAX_MS);
  }
}
