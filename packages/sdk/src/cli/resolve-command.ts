import type { ArgsDef, CommandDef, Resolvable } from 'citty';
import { declaresOption } from './args.ts';
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

/** Help is asked for anywhere on the command line (see `runCli`). */
const HELP_FLAGS = new Set(['--help', '-h']);

/** An option written before a subcommand that the command before it does not declare. */
interface Misplaced {
  /** The option without its inline value (`--json`, `--url`). */
  flag: string;
  /** Whether it comes right before the subcommand's name, without `=`: that name may be its value. */
  beforeName: boolean;
}

/**
 * The first option before the subcommand at `index` that `args` does not declare (help aside):
 * citty skips it, and the subcommand never sees it, so `fleet --json status` would print text.
 */
function misplacedOption(argv: readonly string[], index: number, args: ArgsDef): Misplaced | undefined {
  for (let at = 0; at < index; at += 1) {
    const arg = argv[at]!;
    if (HELP_FLAGS.has(arg)) continue;
    if (takesValue(arg, args)) {
      if (!arg.includes('=')) at += 1;
    } else if (!declaresOption(args, arg)) {
      return { flag: arg.split('=')[0]!, beforeName: at === index - 1 && !arg.includes('=') };
    }
  }
  return undefined;
}

/**
 * The failure for an option given before the subcommand `path` names: where it belongs when
 * `command` takes it, unknown otherwise (never its value, which may be a token).
 */
async function misplacedError(main: CommandDef, command: CommandDef, path: string[], flag: string) {
  const args = (await resolved(command.args ?? {})) as ArgsDef;
  if (!declaresOption(args, flag)) return new UsageError(`unknown option: ${flag}`);
  const program = (await resolved(main.meta ?? {})).name;
  const example = [...(program === undefined ? [] : [program]), ...path, flag].join(' ');
  return new UsageError(`${flag} must come after the command: ${example}`);
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
 * subcommand at all when `runnable` is set and the command cannot run by itself, and an option
 * before a subcommand's name that the command before it does not declare (`--help` aside), which
 * citty would drop: `--json must come after the command: fleet status --json`, or `unknown
 * option: --bogus` when the named command does not take it either.
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
  let misplaced: Misplaced | undefined;
  const found = async (): Promise<[command: CommandDef, parent: CommandDef | undefined]> => {
    if (misplaced) throw await misplacedError(main, command, path, misplaced.flag);
    return [command, parent];
  };
  for (;;) {
    const subCommands = (await resolved(command.subCommands ?? {})) as SubCommands;
    if (Object.keys(subCommands).length === 0) return found();
    const scope = async () =>
      `${path.length > 0 ? `${path.join(' ')} commands` : 'commands'}: ${(await visibleNames(subCommands)).join(', ')}`;
    const args = (await resolved(command.args ?? {})) as ArgsDef;
    const index = subCommandIndex(rest, args);
    if (index === -1) {
      if (runnable && !command.run && command.default === undefined) {
        throw new UsageError(`missing command; ${await scope()}`);
      }
      return found();
    }
    const name = rest[index]!;
    const here = misplacedOption(rest, index, args);
    const next = await findSubCommand(subCommands, name);
    if (!next) {
      // `fleet --url http://x status`: the "command" is the value of an option that belongs after it.
      if (here?.beforeName) throw new UsageError(`${here.flag} must come after the command; ${await scope()}`);
      throw new UsageError(`unknown command "${[...path, name].join(' ')}"; ${await scope()}`);
    }
    misplaced ??= here;
    path.push(name);
    parent = command;
    command = next;
    rest = rest.slice(index + 1);
  }
}
