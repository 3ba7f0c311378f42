import { ErrorEnvelope, type SseEvent } from '@fleet/sdk';
import { documentedSchemaProblems } from './document-schema.ts';
import type { OperationUnderTest } from './request-parts.ts';

/** The documented event stream of an operation: its success content `text/event-stream`, or none. */
export function isEventStream(op: OperationUnderTest): boolean {
  const status = String(op.route.status ?? 200);
  return op.operation.responses[status]?.content?.['text/event-stream'] !== undefined;
}

/**
 * What is wrong with the events of a documented stream: a stream whose document declares no
 * schema for its events (`x-fleet-event-data`), an event other than `message` (or the final
 * `error`, the envelope), or a `message` whose `data` is not JSON of the route's response schema
 * (the zod schema the document's `x-fleet-event-data` is generated from, which clients parse with)
 * and of that JSON Schema as the document states it.
 */
export function eventProblems(op: OperationUnderTest, events: readonly SseEvent[]): string[] {
  const content = op.operation.responses[String(op.route.status ?? 200)]?.content?.['text/event-stream'];
  const problems: string[] = [];
  if (!content?.['x-fleet-event-data']) problems.push('the document declares no schema of its events');
  for (const [index, event] of events.entries()) {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      problems.push(`event #${index + 1} (${event.event}) data is not JSON: ${event.data.slice(0, 200)}`);
      continue;
    }
    const schema = event.event === 'message' ? op.route.response : event.event === 'error' ? ErrorEnvelope : undefined;
    if (!schema) {
      problems.push(`event #${index + 1} is an undocumented \`event: ${event.event}\``);
      continue;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      problems.push(`event #${index + 1} (${event.event}) does not match its schema: ${parsed.error.message}`);
    const declared =
      event.event === 'message' ? content?.['x-fleet-event-data'] : { $ref: '#/components/schemas/ErrorEnvelope' };
    const off = declared ? documentedSchemaProblems(op.doc, declared, data) : [];
    if (off.length > 0)
      problems.push(`event #${index + 1} (${event.event}) does not match the documented schema: ${off.join('; ')}`);
  }
  return problems;
}
