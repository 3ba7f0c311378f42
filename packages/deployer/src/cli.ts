import { runCliProcess } from '@fleet/sdk/cli';
import { deployCommand } from './main.ts';
import { version } from './version.ts';

await runCliProcess(deployCommand, { name: 'fleet-deploy', version });
