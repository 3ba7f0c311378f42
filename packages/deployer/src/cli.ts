import { runCliProcess } from '@fleet/sdk/cli';
import { fleetDeployCommand } from './main.ts';
import { version } from './version.ts';

await runCliProcess(fleetDeployCommand, { name: 'fleet-deploy', version });
