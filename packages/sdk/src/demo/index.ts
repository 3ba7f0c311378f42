/**
 * `@fleet/sdk/demo`: the demo agent `fleet up` runs per wizard: it hands tasks to the other demo
 * agents through the bus, writes facts to the knowledge store and answers health checks.
 */

export { startDemoAgent } from './demo-agent.ts';
export { DemoAgentStats } from './schema.ts';
export type { DemoAgentOptions, RunningDemoAgent } from './demo-agent.ts';
