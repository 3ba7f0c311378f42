import type { Command } from '../executor.ts';

/** A command as step names and messages show it: the shell string, or the argv joined by spaces. */
export function commandText(command: Command): string {
  return typeof command === 'string' ? command : command.join(' ');
}
