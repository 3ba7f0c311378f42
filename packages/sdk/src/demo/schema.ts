import { z } from 'zod';
import { AgentName } from '../schemas/common.ts';

/**
 * What a demo agent has done so far: its counters, as `GET /health` reports them under `details`.
 * Proof that messages and facts flow through the real bus and knowledge APIs.
 */
export const DemoAgentStats = z.object({
  agent: AgentName,
  peer: AgentName.describe('The agent it sends its tasks to'),
  ticks: z.number().int().nonnegative().describe('Loop rounds run'),
  sent: z.number().int().nonnegative().describe('Messages sent to the peer'),
  received: z.number().int().nonnegative().describe('Messages received, handled and acked'),
  factsWritten: z.number().int().nonnegative(),
  factsRead: z.number().int().nonnegative().describe("Reads of the peer's facts that found one"),
  lastError: z.string().nullable().describe('The latest failure of the loop, null when none yet'),
  receiving: z
    .boolean()
    .describe(
      'Whether it receives tasks: false after a failure receiving does not survive (a refused token, say) until it starts again (`/health` is then `degraded`)',
    ),
});
export type DemoAgentStats = z.infer<typeof DemoAgentStats>;
