// `npm run bench` (after its build): the default benches (the PostgreSQL, soak and deploy benches run
// on their own), one at a time, each to its end even when one before it failed or missed a target
// (which exits with 1); exits with 1 after the last when any did. Ctrl-C or SIGTERM stops the bench
// that is running and skips the rest.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Each bench's node arguments, in the order they run. */
const benches = [
  ['bus.mjs'],
  ['knowledge.mjs'],
  ['--expose-gc', 'monitor.mjs', '--dist'],
  ['dashboard.mjs'],
  ['sdk-install.mjs'],
  ['sdk-import.mjs'],
];

let child;
let stopping = false;
// The terminal's Ctrl-C reaches the bench too, which cleans up and exits: wait for it. A SIGTERM
// sent to this process alone is passed on.
process.on('SIGINT', () => {
  stopping = true;
});
process.on('SIGTERM', () => {
  stopping = true;
  child?.kill('SIGTERM');
});

const failed = [];
for (const args of benches) {
  const argv = args.map((arg) => (arg.endsWith('.mjs') ? `${here}${arg}` : arg));
  const name = args.find((arg) => arg.endsWith('.mjs'));
  console.error(`\n== bench/${name}`);
  child = spawn(process.execPath, argv, { stdio: 'inherit' });
  const { code, signal } = await new Promise((resolve) =>
    child.once('exit', (exitCode, signalCode) => resolve({ code: exitCode, signal: signalCode })),
  );
  if (stopping || signal !== null || code >= 128) {
    console.error(`bench/${name} was stopped: the remaining benches do not run`);
    process.exit(code ?? 130);
  }
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}
if (failed.length > 0) {
  console.error(`\n${failed.length} of ${benches.length} benches failed or missed a target: ${failed.join(', ')}`);
  process.exitCode = 1;
}
