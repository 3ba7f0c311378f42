import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor, runPlan } from '@fleet/sdk/deploy';
import { afterAll, expect, test } from 'vitest';
import { nodeStep } from '../src/site/preflight.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleet-node-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `node` that is this Node.js reporting `version` in `process.versions.node`. */
function nodeReporting(version: string): string {
  const preload = join(dir, `version-${version}.cjs`);
  writeFileSync(
    preload,
    `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });\n`,
  );
  const node = join(dir, `node-${version}`);
  writeFileSync(
    node,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --require ${JSON.stringify(preload)} "$@"\n`,
  );
  chmodSync(node, 0o755);
  return node;
}

test.each([
  ['20.18.1', 'failed'],
  ['19.9.0', 'failed'],
  ['20.19.0', 'ok'],
  ['22.1.0', 'ok'],
])('the preflight node step on Node.js %s: %s', async (version, status) => {
  const node = nodeReporting(version);
  const result = await runPlan(
    { phases: [{ name: 'preflight', steps: [nodeStep(node)] }] },
    { executor: new LocalExecutor(), mode: 'apply' },
  );
  expect(result.status === 'failed' ? 'failed' : 'ok').toBe(status);
});
