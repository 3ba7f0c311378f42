import { UsageError } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';

/**
 * `fleet deploy`: the commands of `@fleet/deployer`, loaded only when asked for (the deployer
 * brings SSH, file tracing and tar along). It is an optional peer: without it, one line says how
 * to install it.
 */
export async function loadDeployCommand(): Promise<CommandDef> {
  try {
    return (await import('@fleet/deployer')).deployCommand;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('@fleet/deployer')) {
      throw new UsageError('fleet deploy needs @fleet/deployer, not installed here: npm install @fleet/deployer');
    }
    throw error;
  }
}
