import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeployRunEvent, LocalExecutor } from '@fleet/sdk/deploy';
import { afterAll, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), files: 1, bytes: 1, bins: BINS };
const BUS_TOKEN = 'literal-bus-token-1234';
const OPENAI_KEY = 'sk-literal-openai-5678';

// Secrets written in the file itself, not as ${ENV} references: the loader only warns about them.
const TEXT = `version: 1
hosts:
  h1: { address: 203.0.113.7, ssh: {} }
  h2: { address: 203.0.113.8, ssh: {} }
services:
  bus: { kind: bus, host: h1, port: 8650, token: "${BUS_TOKEN}" }
wizards:
  x: { host: h2, port: 8661, env: { OPENAI_API_KEY: "${OPENAI_KEY}", MODE: fast, CACHE_KEY: "8" } }
deploy:
  node: ${process.execPath}
`;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

test('tokens and secret-named env values written literally are *** in every host plan, its events and result', async () => {
  const events: DeployRunEvent[] = [];
  const result = await deploy({
    config: 'fleet.yaml',
    configText: TEXT,
    env: {},
    mode: 'plan',
    bundle,
    connect: (host) => {
      const root = mkdtempSync(join(tmpdir(), `fleet-secrets-${host}-`));
      roots.push(root);
      return new LocalExecutor({ root, host });
    },
    onEvent: (event) => events.push(event),
  });
  const diffOf = (file: string) =>
    result.run.hosts
      .flatMap((host) => host.phases.flatMap((phase) => phase.steps))
      .flatMap((step) => step.changes)
      .find((change) => change.target.endsWith(`/etc/${file}`))?.diff;
  expect(diffOf('fleet-bus.env')).toContain('+FLEET_BUS_TOKENS="***"');
  // The bus is on h1; h2's plan shows its token in wizard x's environment file.
  expect(diffOf('fleet-wizard-x.env')).toContain('+FLEET_BUS_TOKEN="***"');
  expect(diffOf('fleet-wizard-x.env')).toContain('+OPENAI_API_KEY="***"');
  expect(diffOf('fleet-wizard-x.env')).toContain('+MODE="fast"');
  // A secret-looking name with a value shorter than scrub's minimum is not hidden: every 8 of every
  // plan (ports 8650 and 8661 among them) would have become ***.
  expect(diffOf('fleet-wizard-x.env')).toContain('+CACHE_KEY="8"');
  expect(diffOf('fleet-bus.env')).toContain('8650');
  const shown = JSON.stringify({ result, events });
  expect(shown).not.toContain(BUS_TOKEN);
  expect(shown).not.toContain(OPENAI_KEY);
});
