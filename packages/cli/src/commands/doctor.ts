import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { diagnoseFleet } from '../doctor/diagnose.ts';
import { doctorVerdict, formatDoctorReport } from '../doctor/format-doctor.ts';

/**
 * `fleet doctor`: validates the fleet file and probes every target once. Prints the problems and a
 * table of targets (or, with `--json`, the report as one JSON line); exits 1 with a one-line
 * verdict on stderr when the file has an error or any target is not up.
 */
export const doctorCommand = defineCommand({
  meta: { name: 'doctor', description: 'Check the fleet file and probe every service and wizard once' },
  plugins: [strictArgs],
  args: {
    config: { type: 'string', description: 'Fleet file', default: 'fleet.yaml', valueHint: 'path' },
    json: { type: 'boolean', description: 'Print the report as JSON, for scripts', default: false },
  },
  async run({ args }) {
    const report = await diagnoseFleet(args.config);
    if (args.json) printJson(report);
    else for (const line of formatDoctorReport(report)) output.log(line);
    if (!report.ok) throw new Error(`doctor: ${doctorVerdict(report)}`);
  },
});
