import { type ArgsDef, type CittyPlugin, defineCittyPlugin } from 'citty';
import { assertKnownArgs } from './args.ts';

/** A citty plugin that makes a leaf command reject unknown options and stray arguments. */
export const strictArgs = defineCittyPlugin({
  name: 'strict-args',
  async setup(context) {
    const resolvable = context.cmd.args;
    const args: ArgsDef = (typeof resolvable === 'function' ? await resolvable() : await resolvable) ?? {};
    assertKnownArgs(context.rawArgs, args);
  },
} satisfies CittyPlugin);
