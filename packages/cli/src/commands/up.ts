import { output, printJson, strictArgs, untilSignal } from '@fleet/sdk/cli';
import { formatProblem } from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { DEFAULT_FLEET_DIR, FleetFileError } from '../up/fleet-file.ts';
import { formatUrls } from '../up/format-urls.ts';
import { type LocalFleet, startLocalFleet } from '../up/start-local-fleet.ts';

const logger = { info: output.info, warn: output.warn, error: output.error };

/**
 * `fleet up`: the whole fleet in this process until SIGINT, SIGTERM or SIGHUP (its terminal
 * closed), then a clean stop (exit 0); a signal during the start stops what started the same way,
 * without saying "up". Progress goes to stderr when it is a terminal and `--json` is not given;
 * warnings and errors go to stderr always. stdout gets the URL block (or, with `--json`, one JSON
 * object per line: `{"event":"up",...}` once everything listens, `{"event":"stopped"}` at the end).
 */
export const upCommand = defineCommand({
  meta: { name: 'up', description: 'Run a bus, a knowledge node, the dashboard and two demo agents, here' },
  plugins: [strictArgs],
  args: {
    dir: {
      type: 'string',
      description: 'Directory of the SQLite files (and of the demo fleet file)',
      default: DEFAULT_FLEET_DIR,
      valueHint: 'dir',
    },
    config: {
      type: 'string',
      description:
        'Fleet file, the demo one written when missing (default: ./fleet.yaml if any, else <dir>/fleet.yaml)',
      valueHint: 'path',
    },
    host: {
      type: 'string',
      description: 'Address to bind; any but loopback needs services.<name>.token for bus, knowledge and dashboard',
      default: '127.0.0.1',
      valueHint: 'host',
    },
    json: {
      type: 'boolean',
      description: 'Print JSON lines (up, stopped) instead of text, for scripts',
      default: false,
    },
  },
  async run({ args }) {
    // Progress is for someone watching: not in a pipe, a log file or a script's --json.
    const progress = !args.json && process.stderr.isTTY ? (step: string) => output.info(step) : () => {};
    // Once its terminal is closed its lines fail (EIO): runCli drops them, so the stop still closes the databases.
    const stop = untilSignal();
    // Said when the signal comes, also during the start (which stops once its step in progress ends).
    stop.signal.addEventListener('abort', () => progress('stopping the fleet…'), { once: true });
    try {
      let fleet: LocalFleet | undefined;
      try {
        fleet = await startLocalFleet({
          dir: args.dir,
          ...(args.config !== undefined ? { config: args.config } : {}),
          host: args.host,
          onProgress: progress,
          logger,
          signal: stop.signal,
        });
      } catch (error) {
        if (error instanceof FleetFileError) for (const problem of error.problems) output.error(formatProblem(problem));
        // A signal during the start: what had started is stopped already, and this is a stop like
        // any other (never a failure, never "up").
        if (!stop.signal.aborted || error !== stop.signal.reason) throw error;
      }
      if (fleet) {
        announceUp(fleet, args.json);
        if (!stop.signal.aborted) {
          await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
        }
        await fleet.close();
      }
      if (args.json) printJson({ event: 'stopped' });
      else output.log('fleet stopped');
    } finally {
      stop.dispose();
    }
  },
});

/** Says the fleet is up: the URL block, or with `--json` the "up" line. */
function announceUp(fleet: LocalFleet, json: boolean): void {
  // The fleet file's warnings are the dashboard's to log (it watches the file and logs every reload).
  if (fleet.skipped.length > 0) output.info(`not run here (monitored only): ${fleet.skipped.join(', ')}`);
  if (json) {
    printJson({ event: 'up', config: fleet.config, wroteConfig: fleet.wroteConfig, urls: fleet.urls });
  } else {
    for (const line of formatUrls(fleet)) output.log(line);
  }
}
