import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { DeployError } from '../../errors.ts';
import { loadSsh2 } from './load-ssh2.ts';

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The private key an {@link SshExecutor} logs in with: the file at `identity` (a leading `~/` is
 * the home directory) or the key itself, checked with ssh2's parser before any connection, so an
 * unreadable, unsupported or wrongly unlocked key is one clear `DeployError` naming it.
 */
export async function readIdentity(identity: string | Buffer, passphrase: string | undefined): Promise<Buffer> {
  const label = typeof identity === 'string' ? `the identity file ${identity}` : 'the identity key';
  let key: Buffer;
  try {
    key = typeof identity === 'string' ? await readFile(identity.replace(/^~(?=\/)/, homedir())) : identity;
  } catch (error) {
    throw new DeployError('executor_failed', `Cannot read ${label}: ${reasonOf(error)}`, { cause: error });
  }
  const parsed = loadSsh2().utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    const unsupported = /unsupported key format/i.test(parsed.message)
      ? ': ssh2 reads OpenSSH-format private keys (ed25519, ECDSA, RSA) and PEM RSA or ECDSA keys, not PKCS#8 or PEM ed25519 ones; use a key ssh-keygen wrote'
      : '';
    throw new DeployError('executor_failed', `Cannot use ${label}: ${parsed.message}${unsupported}`, {
      cause: parsed,
    });
  }
  return key;
}
