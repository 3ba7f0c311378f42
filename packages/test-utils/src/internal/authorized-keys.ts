import { appendFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The test hosts' authorized keys: one file per user in a directory, as sshd's `%u` token finds them. */
export interface AuthorizedKeys {
  /** For sshd's `AuthorizedKeysFile`: the directory, then `%u`. */
  pattern: string;
  /** Appends `publicKey` to `user`'s file. */
  authorize(user: string, publicKey: string): void;
}

/**
 * Creates the per-user authorized keys directory in `dir` (empty: nobody may log in yet). sshd
 * reads a user's file as that user, so `dir` becomes traversable by all (0711: not listable; the
 * private keys in it stay 0600).
 */
export function authorizedKeys(dir: string): AuthorizedKeys {
  chmodSync(dir, 0o711);
  const keysDir = join(dir, 'authorized_keys');
  mkdirSync(keysDir, { mode: 0o755 });
  return {
    pattern: join(keysDir, '%u'),
    authorize(user, publicKey) {
      if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(user)) throw new Error(`not a user name: ${JSON.stringify(user)}`);
      appendFileSync(join(keysDir, user), `${publicKey.trim()}\n`, { mode: 0o644 });
    },
  };
}
