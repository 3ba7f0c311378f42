import { UsageError } from '@fleet/sdk/cli';
import type { CommandDef } from 'citty';

/** Imports `@fleet/deployer`, or what stands in for it (the module the deploy commands come from). */
export type ImportDeployer = () => Promise<{ deployCommand: CommandDef }>;

// What Node says when the package itself is not installed; a module the deployer imports that is
// missing names that module instead (and is an error of its own, not "install the deployer").
const DEPLOYER_NOT_FOUND = /Cannot find (package|module) '@fleet\/deployer'/;

async function deployerCommand(importDeployer: ImportDeployer): Promise<CommandDef> {
  try {
    return (await importDeployer()).deployCommand;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && DEPLOYER_NOT_FOUND.test(String(error))) {
      throw new UsageError('fleet deploy needs @fleet/deployer, not installed here: npm install @fleet/deployer');
    }
    throw error;
  }
}

/**
 * `fleet deploy`: the commands of `@fleet/deployer`. Its name and description are its own, so
 * `fleet --help` and the unknown-command line list it without loading anything; the deployer
 * (SSH, file tracing, tar) is imported only when `fleet deploy ...` runs or asks for its help. It
 * is an optional peer: without it, only `fleet deploy` fails, with one line saying how to install it.
 */
export function deployCommandFor(importDeployer: ImportDeployer = () => import('@fleet/deployer')): CommandDef {
  let loaded: Promise<CommandDef> | undefined;
  const deployer = (): Promise<CommandDef> => {
    loaded ??= deployerCommand(importDeployer);
    return loaded;
  };
  return {
    meta: { name: 'deploy', description: 'Deploy the fleet file onto its hosts over SSH' },
    subCommands: async () => {
      const { subCommands } = await deployer();
      return (typeof subCommands === 'function' ? await subCommands() : await subCommands) ?? {};
    },
  };
}

/** `fleet deploy`, loading `@fleet/deployer` when it runs (see {@link deployCommandFor}). */
export const deployCommand: CommandDef = deployCommandFor();
