import { type CommandDef, defineCommand } from 'citty';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runCli, strictArgs } from '../../src/cli/index.ts';
import { colorsEnabled } from '../../src/cli/usage.ts';

let ran: string[] = [];

const leaf = (name: string) =>
  defineCommand({
    meta: { name, description: `The ${name} command` },
    plugins: [strictArgs],
    args: { url: { type: 'string', description: 'Server URL' } },
    run() {
      ran.push(name);
    },
  });

let greeted: string | undefined;

const main: CommandDef = {
  meta: { name: 'toy', version: '1.2.3', description: 'A toy CLI' },
  subCommands: {
    greet: defineCommand({
      meta: { name: 'greet', description: 'Greets', hidden: true },
      plugins: [strictArgs],
      args: {
        name: { type: 'string', alias: 'n', description: 'Who' },
        loud: { type: 'boolean', description: 'Shout' },
      },
      run({ args }) {
        greeted = args.name;
      },
    }),
    up: leaf('up'),
    status: leaf('status'),
    secret: { ...leaf('secret'), meta: { name: 'secret', hidden: true } },
    dlq: defineCommand({ meta: { name: 'dlq', description: 'Dead letters' }, subCommands: { list: leaf('list') } }),
  },
};

/** Runs `toy <argv>` in this process, capturing what it writes. */
async function toy(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(main, argv, { name: 'toy', version: '1.2.3' });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => {
  ran = [];
  greeted = undefined;
});

describe('runCli', () => {
  test('runs the named subcommand with the options after its name', async () => {
    expect(await toy(['status', '--url', 'http://x'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await toy(['dlq', 'list'])).toMatchObject({ code: 0 });
    expect(ran).toEqual(['status', 'list']);
  });

  test.each([
    [['deploy'], 'toy: unknown command "deploy"; commands: up, status, dlq'],
    [['deploy', '--help'], 'toy: unknown command "deploy"; commands: up, status, dlq'],
    [['dlq', 'purge'], 'toy: unknown command "dlq purge"; dlq commands: list'],
    [['dlq', 'purge', '-h'], 'toy: unknown command "dlq purge"; dlq commands: list'],
    [['dlq'], 'toy: missing command; dlq commands: list'],
  ])('%j is one line naming the known commands (hidden ones left out), exit 2, nothing run', async (argv, line) => {
    expect(await toy(argv)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
    expect(ran).toEqual([]);
  });

  test('a single dash takes a one-letter alias, as citty reads it; a single-dash word is refused, not run', async () => {
    expect(await toy(['greet', '-n', 'ada'])).toMatchObject({ code: 0, stderr: '' });
    expect(greeted).toBe('ada');
    greeted = undefined;
    // citty reads `-name ada` as the flags n, a, m, e and a stray `ada`: the command must not run.
    expect(await toy(['greet', '-name', 'ada'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'toy: unknown option: -name\n',
    });
    expect(await toy(['greet', '-loud'])).toEqual({ code: 2, stdout: '', stderr: 'toy: unknown option: -loud\n' });
    expect(greeted).toBeUndefined();
  });

  test.each([
    [['--url=http://x', 'status'], 'toy: --url must come after the command: toy status --url'],
    [['--loud', 'greet', '-n', 'ada'], 'toy: --loud must come after the command: toy greet --loud'],
    [['--no-loud', 'greet'], 'toy: --no-loud must come after the command: toy greet --no-loud'],
    [['--url=http://x', 'dlq', 'list'], 'toy: --url must come after the command: toy dlq list --url'],
    [['dlq', '--url=http://x', 'list'], 'toy: --url must come after the command: toy dlq list --url'],
    [['--url=http://x', 'status', '--help'], 'toy: --url must come after the command: toy status --url'],
    // Its value would read as the command's name.
    [['--url', 'http://x', 'status'], 'toy: --url must come after the command; commands: up, status, dlq'],
    [['--bogus', 'status'], 'toy: unknown option: --bogus'],
    [['--version', 'status'], 'toy: unknown option: --version'],
    [['-v', 'status'], 'toy: unknown option: -v'],
  ])('an option before the command, which citty would drop, is refused: %j', async (argv, line) => {
    expect(await toy(argv)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
    expect(ran).toEqual([]);
    expect(greeted).toBeUndefined();
  });

  test('--help before the command prints its usage', async () => {
    const result = await toy(['--help', 'dlq']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('USAGE toy dlq list');
  });

  test('an option the command before the subcommand declares may come before it', async () => {
    const parent: CommandDef = {
      meta: { name: 'toy' },
      args: { verbose: { type: 'boolean', description: 'Say more' }, url: { type: 'string', description: 'URL' } },
      subCommands: { status: leaf('status') },
    };
    const code = await runCli(parent, ['--verbose', '--url', 'http://x', 'status'], { name: 'toy', version: '1' });
    expect(code).toBe(0);
    expect(ran).toEqual(['status']);
  });

  test('a hidden command still runs', async () => {
    expect(await toy(['secret'])).toMatchObject({ code: 0 });
    expect(ran).toEqual(['secret']);
  });

  test('--help of a known command prints its usage and exits 0 without running it', async () => {
    const result = await toy(['dlq', '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('USAGE toy dlq list');
    expect(ran).toEqual([]);
  });

  test('no arguments print the top-level usage and exit 2', async () => {
    const result = await toy([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('USAGE toy up|status|dlq');
  });

  test('--version prints the version', async () => {
    expect(await toy(['--version'])).toEqual({ code: 0, stdout: '1.2.3\n', stderr: '' });
  });
});

describe('colorsEnabled', () => {
  const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const terminal = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;

  test('only on a terminal', () => {
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
    expect(colorsEnabled(terminal)).toBe(true);
    expect(colorsEnabled(pipe)).toBe(false);
  });

  test('never with NO_COLOR set or TERM=dumb', () => {
    process.env.TERM = 'xterm-256color';
    process.env.NO_COLOR = '1';
    expect(colorsEnabled(terminal)).toBe(false);
    delete process.env.NO_COLOR;
    process.env.TERM = 'dumb';
    expect(colorsEnabled(terminal)).toBe(false);
  });
});
