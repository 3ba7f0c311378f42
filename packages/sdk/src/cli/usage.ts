import { stripVTControlCharacters } from 'node:util';
import { type CommandDef, renderUsage } from 'citty';
import { output } from './output.ts';

/**
 * Whether text written to `stream` may carry ANSI colours: only on a terminal, and never with
 * `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
 */
export function colorsEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  const env = process.env;
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * Prints `command`'s help to stdout: without colours unless stdout is a terminal that wants them,
 * and without trailing blanks.
 */
export async function printUsage(command: CommandDef, parent?: CommandDef): Promise<void> {
  const text = await renderUsage(command, parent);
  output.log((colorsEnabled() ? text : stripVTControlCharacters(text)).replace(/[ \t]+$/gm, ''));
}
