import { runCliProcess } from '@fleet/sdk/cli';
import { fleetCommand } from './main.ts';
import { version } from './version.ts';

await runCliProcess(fleetCommand, { name: 'fleet', version });
