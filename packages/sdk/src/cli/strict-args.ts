import { type ArgsDef, type CittyPlugin, defineCittyPlugin } from 'citty';
import { assertKnownArgs } from './args.ts';

/**
 * A citty plugin that makes a leaf command reject unknown options and stray arguments
 * (citty lets them through silently).
 *
 * @example
 * defineCommand({ meta: { name: 'stats' }, plugins: [strictArgs], args: { ...clientArgs }, run() {} });
 */
export const strictArgs = defineCittyPlugin({
  name: 'strict-args',
  async setup(context) {
    const resolvable = context.cmd.args;
    const args: ArgsDef = (typeof resolvable === 'function' ? await resolvable() : await resolvable) ?? {};
    assertKnownArgs(context.rawArgs, args);
  },
} satisfies CittyPlugin);
