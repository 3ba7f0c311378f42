// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files and unit files write ${ENV_VAR} references literally
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeployRunEvent, LocalExecutor } from '@fleet/sdk/deploy';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { sitePlan, siteRelease } from '../src/site/site-plan.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), files: 1, bytes: 1, bins: BINS };
// `$` and `%` are what systemd escapes in a unit (`$$`, `%%`): neither form may show either.
const KEY = 'sk-$ecret%20-9f8e7d6c';
const ORG = 'org-4b5a';
const ENV = { OPENAI_API_KEY: KEY, ORG_ID: ORG };
const UNIT = 'fleet-wizard-x.service';
/** Every form a unit file could give the key: as it is, with `$` and `%` doubled, with `%` alone doubled. */
const KEY_FORMS = [KEY, 'sk-$$ecret%%20-9f8e7d6c', 'sk-$ecret%%20-9f8e7d6c', '9f8e7d6c'];

const fleetText = (wizard: string) => `version: 1
hosts:
  h1: { address: 203.0.113.7, ssh: {} }
wizards:
  x: { host: h1, port: 8661, ${wizard} }
deploy:
  node: ${process.execPath}
`;
const TEXT = fleetText(
  'exec: ["/usr/local/bin/agent", "--api-key", "${OPENAI_API_KEY}", "--org=acme ${ORG_ID}%", "$${LITERAL}"]',
);
const input = (text: string) => ({
  fleet: parseDeployFleet(text, 'fleet.yaml', ENV).fleet,
  fleetText: text,
  host: 'h1',
  bundle,
});

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

test("a ${NAME} in a wizard's exec stays a reference in the unit file; its value goes to the 0600 environment file", () => {
  const unit = sitePlan(input(TEXT)).units[UNIT]!;
  // systemd fills each ${NAME} from the environment file, in the word it stands in; the rest is escaped as ever.
  expect(unit).toContain(
    'ExecStart=/usr/local/bin/agent --api-key ${OPENAI_API_KEY} "--org=acme ${ORG_ID}%%" "$${LITERAL}"\n',
  );
  for (const form of [...KEY_FORMS, ORG]) expect(unit).not.toContain(form);
  const envFile = siteRelease(input(TEXT)).content.files.find((file) => file.name === 'fleet-wizard-x.env')!;
  expect(envFile.mode).toBe('0600');
  expect(envFile.content).toContain(`\nOPENAI_API_KEY="${KEY}"\n`);
  expect(envFile.content).toContain(`\nORG_ID="${ORG}"\n`);
});

test("a reference in exec to a variable the wizard's environment sets to another value is refused at plan time", () => {
  const own = fleetText('env: { OPENAI_API_KEY: other-value }, exec: [/usr/local/bin/agent, "${OPENAI_API_KEY}"]');
  expect(() => sitePlan(input(own))).toThrow(
    "wizards.x.exec[1] references ${OPENAI_API_KEY}, which the wizard's environment sets to another value (its env.OPENAI_API_KEY)",
  );
  // PORT, as where the deploy runs, is not the port Fleet gives the wizard.
  const port = fleetText('exec: [/usr/local/bin/agent, "--port=${PORT}"]');
  const fleet = parseDeployFleet(port, 'fleet.yaml', { ...ENV, PORT: '9999' }).fleet;
  expect(() => sitePlan({ fleet, fleetText: port, host: 'h1', bundle })).toThrow(
    "wizards.x.exec[1] references ${PORT}, which the wizard's environment sets to another value (Fleet's own PORT)",
  );
  // The same value in both is no conflict.
  const same = fleetText(
    'env: { OPENAI_API_KEY: "${OPENAI_API_KEY}" }, exec: [/usr/local/bin/agent, "${OPENAI_API_KEY}"]',
  );
  expect(sitePlan(input(same)).units[UNIT]).toContain('ExecStart=/usr/local/bin/agent ${OPENAI_API_KEY}\n');
});

test('a secret with $ and % is *** in every form a unit gives it, in the plan, its events and result', async () => {
  // The key by reference, and a literal secret-named value written in exec too, which the unit escapes.
  const literal = 'lit$tok%en-5a6b7c';
  const text = fleetText(
    `env: { API_TOKEN: "${literal}" }, exec: ["/usr/local/bin/agent", "--api-key", "\${OPENAI_API_KEY}", "--token=${literal}"]`,
  );
  const events: DeployRunEvent[] = [];
  const result = await deploy({
    config: 'fleet.yaml',
    configText: text,
    env: ENV,
    mode: 'plan',
    bundle,
    connect: (host) => {
      const root = mkdtempSync(join(tmpdir(), `fleet-exec-${host}-`));
      roots.push(root);
      return new LocalExecutor({ root, host });
    },
    onEvent: (event) => events.push(event),
  });
  const shown = JSON.stringify({ result, events });
  expect(shown).toContain('ExecStart=/usr/local/bin/agent --api-key ${OPENAI_API_KEY} \\"--token=***\\"');
  for (const form of [...KEY_FORMS, literal, 'lit$$tok%%en', 'lit$tok%%en', '5a6b7c']) {
    expect(shown).not.toContain(form);
  }
});

test.skipIf(!hasSystemCommand('systemd-analyze', 'systemd'))(
  'a unit with references in ExecStart passes systemd-analyze verify',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-exec-unit-'));
    roots.push(dir);
    const file = join(dir, UNIT);
    // verify needs ExecStart's program here: this Node stands in for the agent.
    writeFileSync(file, sitePlan(input(TEXT)).units[UNIT]!.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', '--recursive-errors=no', file], {
      encoding: 'utf8',
    });
    expect({ status: verify.status, output: verify.stderr }).toMatchObject({ status: 0 });
  },
);
