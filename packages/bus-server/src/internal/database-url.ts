import { inspect } from 'node:util';
import { UsageError } from '@fleet/sdk/cli';

/** Whether `db` names a PostgreSQL database rather than a SQLite file. */
export function isDatabaseUrl(db: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(db);
}

/**
 * `db` with each `${NAME}` replaced by the environment variable NAME, so that a password can stay
 * out of the command line (`--db 'postgres://fleet:${FLEET_BUS_DB_PASSWORD}@db/fleet'`). Throws a
 * `UsageError` (exit 2), naming the variable (never the URL), when one is not set.
 */
export function expandEnvRefs(db: string, env: NodeJS.ProcessEnv = process.env): string {
  return db.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new UsageError(`--db refers to \${${name}}, which is not set`);
    return value;
  });
}

/** The password in a database URL, as written and decoded (either may appear in a message). */
export function secretsOf(db: string): string[] {
  if (!isDatabaseUrl(db)) return [];
  try {
    const password = new URL(db).password;
    if (password === '') return [];
    const decoded = decodeURIComponent(password);
    return decoded === password ? [password] : [password, decoded];
  } catch {
    // An unparsable URL: everything between "//user:" and the last "@" may be a password.
    const match = /^[^:]+:\/\/[^:/@]*:(.*)@/.exec(db);
    return match?.[1] ? [match[1]] : [];
  }
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

/**
 * A logger that writes through `logger` with the secrets blanked out of every argument (errors
 * are formatted first, their causes included).
 */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return logger;
  const clean = (args: unknown[]) =>
    args.map((arg) => redact(typeof arg === 'string' ? arg : inspect(arg, { depth: 4 }), secrets));
  return {
    info: (...args: unknown[]) => logger.info(...clean(args)),
    warn: (...args: unknown[]) => logger.warn(...clean(args)),
    error: (...args: unknown[]) => logger.error(...clean(args)),
  };
}
