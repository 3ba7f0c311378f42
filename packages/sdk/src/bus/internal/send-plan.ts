import { FleetError } from '../../errors.ts';
import { BROADCAST, type Message, type SendInput, type SendResult } from '../../schemas/message.ts';
import { type AuditEntry, auditEntry } from './audit-entry.ts';
import { CopiesSizeTally } from './copies-size.ts';
import { newMessageId } from './ids.ts';
import { type MessageRecord, toMessage } from './message-record.ts';

/** An idempotency key as stored: the copies its first send produced, and when. */
export interface IdempotencyRecord {
  from: string;
  key: string;
  /** When the original send was stored, in milliseconds. */
  at: number;
  messages: Message[];
}

/** What planning a send reads from the store (inside the transaction that applies the plan). */
export interface SendView {
  /** Every agent the store knows (sent, was sent to, subscribed, leased or polled). Called for broadcasts only. */
  knownAgents(): Iterable<string>;
  /** Agents subscribed to a topic. */
  subscribers(topic: string): Iterable<string>;
  /** The stored key for (from, key), if any; the planner checks the window itself. */
  idempotency(from: string, key: string): IdempotencyRecord | undefined;
}

/** Everything a send (or batch) stores; a backend applies it all at once, or nothing. */
export interface SendPlan {
  /** New message copies, in insertion order. */
  records: MessageRecord[];
  /** Idempotency keys to store (insert or replace: an expired key may be reused), each key once. */
  keys: IdempotencyRecord[];
  /** Agents that become known: every sender and direct recipient (insert if absent). */
  agents: string[];
  /** `sent` audit entries, one per copy. */
  audit: AuditEntry[];
  /** What `send`/`sendBatch` returns. */
  result: SendResult;
}

function sorted(agents: Iterable<string>): string[] {
  return [...new Set(agents)].sort();
}

/**
 * Plans a batch of sends: resolves recipients, applies idempotency (each item on its own; a key
 * repeated inside the batch returns the first item's copies) and builds every copy. Pure apart from
 * the ids; throws before anything is stored: `validation_failed` if an item names no destination,
 * `payload_too_large` if the copies of fan-outs and repeated keys would pass `MAX_SEND_COPIES_BYTES`.
 * `batch`: the sends came as a batch (`POST /messages/batch`), so an error names an item's field as
 * `messages.3.payload`; a single send's as `payload`.
 */
export function planSends(
  inputs: SendInput[],
  view: SendView,
  nowMs: number,
  idempotencyWindowSeconds: number,
  batch: boolean,
): SendPlan {
  const windowMs = idempotencyWindowSeconds * 1000;
  const plan: SendPlan = {
    records: [],
    keys: [],
    agents: [],
    audit: [],
    result: { messages: [], count: 0, duplicate: false },
  };
  const plannedKeys = new Map<string, IdempotencyRecord>();
  const newAgents = new Set<string>();
  const copiesSize = new CopiesSizeTally(batch);
  let duplicates = 0;

  inputs.forEach((input, index) => {
    if (input.to === undefined && input.topic === undefined) {
      throw new FleetError('validation_failed', `Message ${index} has neither \`to\` nor \`topic\``, {
        details: {
          issues: [
            { field: `messages.${index}.to`, message: 'exactly one of `to` or `topic` is required', code: 'custom' },
          ],
        },
      });
    }
    if (input.idempotencyKey !== null) {
      const mapKey = `${input.from}\u0000${input.idempotencyKey}`;
      const earlier = plannedKeys.get(mapKey) ?? view.idempotency(input.from, input.idempotencyKey);
      if (earlier && nowMs - earlier.at < windowMs) {
        copiesSize.addRepeat(index, earlier.messages);
        plan.result.messages.push(...earlier.messages);
        duplicates += 1;
        return;
      }
    }

    let recipients: string[];
    if (input.topic !== undefined) {
      recipients = sorted(view.subscribers(input.topic));
    } else if (input.to === BROADCAST) {
      recipients = sorted([...view.knownAgents(), ...newAgents]).filter((agent) => agent !== input.from);
    } else {
      recipients = [input.to as string];
      newAgents.add(input.to as string);
    }
    newAgents.add(input.from);

    const messages: Message[] = [];
    for (const to of recipients) {
      const record: MessageRecord = {
        id: newMessageId(nowMs),
        from: input.from,
        to,
        topic: input.topic ?? null,
        type: input.type,
        payload: input.payload,
        priority: input.priority,
        createdAt: nowMs,
        availableAt: nowMs + Math.round(input.delaySeconds * 1000),
        expiresAt: input.ttlSeconds === null ? null : nowMs + Math.round(input.ttlSeconds * 1000),
        attempts: 0,
        idempotencyKey: input.idempotencyKey,
      };
      plan.records.push(record);
      plan.audit.push(auditEntry(nowMs, 'sent', record, { from: record.from, topic: record.topic }));
      messages.push(toMessage(record));
    }
    copiesSize.addCopies(index, messages, input.payload);
    plan.result.messages.push(...messages);

    if (input.idempotencyKey !== null) {
      const mapKey = `${input.from}\u0000${input.idempotencyKey}`;
      const stored: IdempotencyRecord = { from: input.from, key: input.idempotencyKey, at: nowMs, messages };
      const planned = plannedKeys.get(mapKey);
      // Planned already (no window: a repeat is a new send): the later record replaces it, so each
      // key is written once (PostgreSQL's upsert refuses a key twice in one statement).
      if (planned) plan.keys[plan.keys.indexOf(planned)] = stored;
      else plan.keys.push(stored);
      plannedKeys.set(mapKey, stored);
    }
  });

  plan.agents = [...newAgents];
  plan.result.count = plan.result.messages.length;
  plan.result.duplicate = inputs.length > 0 && duplicates === inputs.length;
  return plan;
}
