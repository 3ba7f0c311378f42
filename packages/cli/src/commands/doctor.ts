import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { diagnoseFleet } from '../doctor/diagnose.ts';
import { doctorVerdict, formatDoctorReport } from '../doctor/format-doctor.ts';
import { defaultFleetFile, exists } from '../up/fleet-file.ts';

/** `./fleet.yaml`, else the demo fleet file `fleet up` wrote into `.fleet/`, else `fleet.yaml` (reported missing). */
async function doctorFleetFile(): Promise<string> {
  const file = await defaultFleetFile();
  return (await exists(file)) ? file : 'fleet.yaml';
}

/**
 * `fleet doctor`: validates the fleet file and probes every target once. Prints the problems and a
 * table of targets (or, with `--json`, the report as one JSON line); exits 1 with a one-line
 * verdict on stderr when the file has an error or any target is not up.
 */
export const doctorCommand = defineCommand({
  meta: { name: 'doctor', description: 'Check the fleet file and probe every service and wizard once' },
  plugins: [strictArgs],
  args: {
    config: {
      type: 'string',
      description: 'Fleet file (default: ./fleet.yaml if it exists, else the one fleet up keeps in .fleet/)',
      valueHint: 'path',
    },
    json: { type: 'boolean', description: 'Print the report as JSON, for scripts', default: false },
  },
  async run({ args }) {
    const report = await diagnoseFleet(args.config ?? (await doctorFleetFile()));
    if (args.json) printJson(report);
    else for (const line of formatDoctorReport(report)) output.log(line);
    if (!report.ok) throw new Error(`doctor: ${doctorVerdict(report)}`);
  },
});
