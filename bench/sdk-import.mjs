// SDK import cost: the cold import of @fleet/sdk's root entry against importing zod and ky alone,
// measured in the same run.
//
//   npm run build -w @fleet/sdk && node bench/sdk-import.mjs   # this checkout's SDK
//   node bench/sdk-import.mjs /tmp/fleet-before/packages/sdk   # another checkout's (built) SDK
//   node bench/sdk-import.mjs --json                           # machine-readable results
//   BENCH_RUNS=20 node bench/sdk-import.mjs
//
// Each run is a fresh `node` process that times `await import(...)` with performance.now(): the built
// root entry (dist/index.js), or `zod` and `ky` together, resolved from the SDK's directory so that
// both load the very same zod and ky files. Reported beside it: the CPU time the import took
// (process.cpuUsage, all threads; less sensitive than wall time to other processes taking the cores)
// and the process's wall time (node's startup included). One run of each is discarded first (it fills the OS file cache: "cold" means a
// fresh process, not a cold disk), then BENCH_RUNS runs of each, interleaved (SDK, baseline,
// baseline, SDK, ...) so a slow spell of this shared machine weighs on both. Figures are medians.
// Target: the root entry costs at most 1.15× what zod and ky cost by themselves (missed: exit code 1).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { median, sdkDirFromArgs } from './_lib.mjs';

const { json, positionals } = benchArgs(import.meta.url, { flags: ['json'], positionals: 1 });
const runs = envNumber('BENCH_RUNS', 10, { integer: true });
const target = 1.15;
const sdkDir = sdkDirFromArgs(positionals);
const version = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).version;
const progress = (line) => {
  if (process.stderr.isTTY) process.stderr.write(line);
};

const subjects = {
  sdk: [pathToFileURL(join(sdkDir, 'dist/index.js')).href],
  baseline: ['zod', 'ky'],
};

/** One fresh node process importing `specifiers`: the import's wall and CPU time, the process's wall time, in ms. */
function coldImport(specifiers) {
  const script = `
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(${JSON.stringify(specifiers)}.map((s) => import(s)));
    const ms = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    process.stdout.write(JSON.stringify([ms, (user + system) / 1000]));
  `;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: sdkDir, encoding: 'utf8' });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${specifiers.join(', ')} failed:\n${child.stderr}`);
  const [importMs, cpuMs] = JSON.parse(child.stdout);
  return { importMs, cpuMs, processMs };
}

coldImport(subjects.sdk);
coldImport(subjects.baseline);
const samples = { sdk: [], baseline: [] };
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? ['sdk', 'baseline'] : ['baseline', 'sdk'];
  for (const name of order) samples[name].push(coldImport(subjects[name]));
  progress(`\r${i + 1}/${runs} runs of each`);
}
progress('\n');

const round = (ms) => Math.round(ms * 10) / 10;
const summary = (list) => ({
  importMs: round(median(list.map((s) => s.importMs))),
  cpuMs: round(median(list.map((s) => s.cpuMs))),
  processMs: round(median(list.map((s) => s.processMs))),
  runsImportMs: list.map((s) => round(s.importMs)),
});
const sdk = summary(samples.sdk);
const baseline = summary(samples.baseline);
const ratioOf = (a, b) => Math.round((a / b) * 100) / 100;
const ratio = ratioOf(sdk.importMs, baseline.importMs);
const cpuRatio = ratioOf(sdk.cpuMs, baseline.cpuMs);
const [check] = judge([['import: SDK root entry / zod and ky', ratio, '<=', target]], { quiet: json });
const met = check.result === 'ok';
const result = { runs, sdk: { dir: sdkDir, version, ...sdk }, baseline, ratio, cpuRatio, target, met };

if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.table({
    [`@fleet/sdk ${version} root entry`]: {
      'import ms': sdk.importMs,
      'CPU ms': sdk.cpuMs,
      'process ms': sdk.processMs,
    },
    'zod + ky alone': { 'import ms': baseline.importMs, 'CPU ms': baseline.cpuMs, 'process ms': baseline.processMs },
  });
  console.log(`SDK: ${sdkDir}; medians of ${runs} fresh processes each, interleaved`);
  console.log(
    `ratio ${ratio} (target ≤ ${target}): ${result.met ? 'met' : 'ABOVE TARGET'}; CPU time ratio ${cpuRatio}`,
  );
}
