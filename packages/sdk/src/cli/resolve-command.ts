import type { ArgsDef, CommandDef, Resolvable } from 'citty';
import { UsageError } from './usage-error.ts';

type SubCommands = Record<string, CommandDef>;

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

async function resolved<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}

/**
 * Whether `flag` is an option of `args` that takes a value (`--url x`, `-u x`), as citty decides
 * it: after a single dash only a one-letter alias.
 */
function takesValue(flag: string, args: ArgsDef): boolean {
  const long = flag.startsWith('--');
  const name = flag.slice(long ? 2 : 1);
  return Object.entries(args).some(([key, def]) => {
    if (def.type !== 'string' && def.type !== 'enum') return false;
    const aliases = 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
    if (!long) return name.length === 1 && aliases.includes(name);
    return camel(name) === camel(key) || aliases.includes(name);
  });
}

/** Index of the first argument that names a subcommand (citty's rule), or -1. */
function subCommandIndex(argv: readonly string[], args: ArgsDef): number {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') return -1;
    if (!arg.startsWith('-')) return index;
    if (!arg.includes('=') && takesValue(arg, args)) index += 1;
  }
  return -1;
}

async function findSubCommand(subCommands: SubCommands, name: string): Promise<CommandDef | undefined> {
  if (Object.hasOwn(subCommands, name)) return resolved(subCommands[name]!);
  for (const sub of Object.values(subCommands)) {
    const command = await resolved(sub);
    const meta = await resolved(command.meta ?? {});
    if (meta.alias !== undefined && [meta.alias].flat().includes(name)) return command;
  }
  return undefined;
}

async function visibleNames(subCommands: SubCommands): Promise<string[]> {
  const names: string[] = [];
  for (const [name, sub] of Object.entries(subCommands)) {
    const meta = await resolved((await resolved(sub)).meta ?? {});
    if (!meta.hidden) names.push(name);
  }
  return names;
}

/**
 * The command `argv` names (following subcommand names the way citty does) and its parent, for
 * `--help`. Where a subcommand is expected, an argument that names none is a {@link UsageError}
 * listing the known ones (`unknown command "deploy"; commands: up, doctor, status`); so is no
 * subcommand at all when `runnable` is set and the command cannot run by itself.
 */
export async function resolveCommand(
  main: CommandDef,
  argv: readonly string[],
  { runnable = false }: { runnable?: boolean } = {},
): Promise<[command: CommandDef, parent: CommandDef | undefined]> {
  let command = main;
  let parent: CommandDef | undefined;
  const path: string[] = [];
  let rest = argv;
  for (;;) {
    const subCommands = (await resolved(command.subCommands ?? {})) as SubCommands;
    if (Object.keys(subCommands).length === 0) return [command, parent];
    const scope = async () =>
      `${path.length > 0 ? `${path.join(' ')} commands` : 'commands'}: ${(await visibleNames(subCommands)).join(', ')}`;
    const index = subCommandIndex(rest, (await resolved(command.args ?? {})) as ArgsDef);
    if (index === -1) {
      if (runnable && !command.run && command.default === undefined) {
        throw new UsageError(`missing command; ${await scope()}`);
      }
      return [command, parent];
    }
    const name = rest[index]!;
    const next = await findSubCommand(subCommands, name);
    if (!next) throw new UsageError(`unknown command "${[...path, name].join(' ')}"; ${await scope()}`);
    path.push(name);
    parent = command;
    command = next;
    rest = rest.slice(index + 1);
  }
}
