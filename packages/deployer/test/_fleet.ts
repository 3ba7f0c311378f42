// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import type { TestHosts } from '@fleet/test-utils/test-hosts';

/** Secrets the deploy tests plant: each must never show up in output, events, history or logs. */
export const TOKENS = {
  BUS_TOKEN: 'bus-tok-7f3a9c2e51d84b60',
  KNOWLEDGE_TOKEN: 'kn-tok-0c6e2d9b48a1f357',
  DASHBOARD_TOKEN: 'dash-tok-93b1e7c5a02d46f8',
};

/** Options of {@link demoFleetText}. */
export interface DemoFleetTextOptions {
  /** Extra environment of wizard scout, e.g. to change its config. */
  scoutEnv?: Record<string, string>;
  /** Lines appended to the deploy block. */
  deploy?: string[];
}

/**
 * The demo fleet on three test hosts: the bus and one knowledge node on h1, the other knowledge
 * node and wizard scout on h2, the dashboard and wizard scribe on h3; every server with a token;
 * health checked every 2 s; a fast gate.
 */
export function demoFleetText(run: TestHosts, options: DemoFleetTextOptions = {}): string {
  const [h1, h2, h3] = run.hosts;
  const health = 'health: { interval: 2s, timeout: 1s }';
  const scoutEnv = Object.entries(options.scoutEnv ?? {}).map(
    ([key, value]) => `      ${key}: ${JSON.stringify(value)}`,
  );
  return [
    'version: 1',
    'name: test-fleet',
    'hosts:',
    `  h1: { address: ${h1!.address}, ssh: {} }`,
    `  h2: { address: ${h2!.address}, ssh: {} }`,
    `  h3: { address: ${h3!.address}, ssh: {} }`,
    'services:',
    `  bus: { kind: bus, host: h1, port: 8650, token: "\${BUS_TOKEN}", ${health} }`,
    `  k1: { kind: knowledge, host: h1, port: 8651, token: "\${KNOWLEDGE_TOKEN}", ${health} }`,
    `  k2: { kind: knowledge, host: h2, port: 8651, token: "\${KNOWLEDGE_TOKEN}", ${health} }`,
    `  dashboard: { kind: dashboard, host: h3, port: 8652, token: "\${DASHBOARD_TOKEN}", ${health} }`,
    'wizards:',
    '  scout:',
    '    host: h2',
    '    port: 8661',
    `    ${health}`,
    ...(scoutEnv.length > 0 ? ['    env:', ...scoutEnv] : []),
    '  scribe:',
    '    host: h3',
    '    port: 8662',
    `    ${health}`,
    'deploy:',
    `  node: ${process.execPath}`,
    '  batches: [1, "100%"]',
    '  gate: { successes: 2, timeout: 30s, interval: 500ms }',
    ...(options.deploy ?? []).map((line) => `  ${line}`),
    '',
  ].join('\n');
}
