import type { SendInput, SendResult } from '../../schemas/message.ts';
import type { MessageRecord } from '../internal/message-record.ts';
import { planSends, type SendPlan } from '../internal/send-plan.ts';
import { assertSendArguments } from '../internal/store-arguments.ts';
import type { GroupWrite } from './group-commit.ts';
import { idempotencyFromRow, isCountedDelayed, messageParams } from './rows.ts';
import type { Statements } from './statements.ts';
import type { SqliteTransitions } from './transitions.ts';

/** What one send (or batch) wrote: the result for the caller and the copies for `onMessage`. */
export interface WrittenSends {
  result: SendResult;
  records: MessageRecord[];
}

interface PreparedSends {
  plan: SendPlan;
  /** The JSON text of each record's payload. */
  payloads: string[];
  /** The JSON text of each idempotency key's response. */
  responses: string[];
}

/**
 * A send or batch as a group-commit write. `prepare` checks the arguments' types and ranges, plans
 * it with the shared planner (reading agents, subscribers and idempotency keys, and seeing the
 * writes queued before it) and serializes everything, so all that can fail about one send fails
 * before it writes (alone, not its group); `apply` only inserts.
 * `batch`: the sends came as a batch, so errors name fields `messages.3.payload`.
 */
export function sendWrite(
  sql: Statements,
  transitions: SqliteTransitions,
  inputs: SendInput[],
  now: number,
  idempotencyWindowSeconds: number,
  batch: boolean,
): GroupWrite<PreparedSends, WrittenSends> {
  return {
    prepare: () => {
      assertSendArguments(inputs, batch);
      const plan = planSends(
        inputs,
        {
          knownAgents: () => transitions.knownAgents(now),
          subscribers: (topic) => sql.subscribers.all(topic),
          idempotency: (from, key) => {
            const row = sql.idempotency.get(from, key);
            return row && idempotencyFromRow(from, key, row);
          },
        },
        now,
        idempotencyWindowSeconds,
        batch,
      );
      // The copies of one send share a payload object: serialize it once.
      let last: unknown;
      let json = '';
      const payloads = plan.records.map((record, index) => {
        if (index === 0 || record.payload !== last) {
          last = record.payload;
          json = JSON.stringify(record.payload ?? null);
        }
        return json;
      });
      return { plan, payloads, responses: plan.keys.map((key) => JSON.stringify(key.messages)) };
    },
    apply: ({ plan, payloads, responses }) => {
      for (const agent of plan.agents) transitions.seeAgent(agent, now);
      plan.keys.forEach((key, index) => {
        sql.saveIdempotency.run(key.from, key.key, key.at, responses[index]!);
      });
      plan.records.forEach((record, index) => {
        sql.insertMessage.run(...messageParams(record, payloads[index]!));
        transitions.counters.add(record.to, isCountedDelayed(record) ? 'delayed' : 'ready');
      });
      for (const entry of plan.audit) transitions.audit(entry);
      return { result: plan.result, records: plan.records };
    },
  };
}
