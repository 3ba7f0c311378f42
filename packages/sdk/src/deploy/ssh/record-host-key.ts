import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkHostKey } from './check-host-key.ts';
import { hashKnownHostsName } from './hashed-name.ts';
import { HostKeyError } from './host-key-error.ts';
import { withFileLock } from './internal/file-lock.ts';
import { keyBlobType } from './key-blob.ts';
import { knownHostsName } from './known-hosts-name.ts';
import { parseKnownHosts } from './parse-known-hosts.ts';

/** Options of {@link recordHostKey}. */
export interface RecordHostKeyOptions {
  /**
   * Write the host's name hashed (`|1|salt|hash`), as OpenSSH does with `HashKnownHosts yes`, so
   * the file does not list the hosts it knows. `false` writes it plain (`host` or `[host]:port`).
   * @default true
   */
  hash?: boolean;
}

/** What {@link recordHostKey} did. */
export interface RecordHostKeyResult {
  /** `false` when the file already trusted this key for this host, and nothing was written. */
  recorded: boolean;
  /** The line appended (without its newline); `undefined` when nothing was written. */
  line: string | undefined;
}

/**
 * Records a newly accepted host key: appends a `known_hosts` line for `host:port` (hashed by
 * default) unless the file already trusts that key for that host. The file is re-read first, so a
 * key another run recorded meanwhile is not added twice, and a host whose key the file now holds
 * differently (or revokes) is refused with a {@link HostKeyError} instead of being recorded. Calls
 * for the same file take turns, across processes too (through `<file>.lock` next to it), so of two
 * first connections to a host that offer different keys only one is recorded. The line is one
 * `O_APPEND` write, synced; a missing file is created with mode 0600 and a missing parent directory
 * with mode 0700, as `~/.ssh` wants.
 *
 * @param key The key blob, as ssh2's `hostVerifier` receives it.
 * @example
 * ```ts
 * await recordHostKey(join(homedir(), '.ssh', 'known_hosts'), '10.0.0.5', 22, key);
 * ```
 */
export async function recordHostKey(
  file: string,
  host: string,
  port: number,
  key: Uint8Array,
  options: RecordHostKeyOptions = {},
): Promise<RecordHostKeyResult> {
  const keyType = keyBlobType(key);
  if (keyType === undefined) throw new TypeError('not an SSH public key blob: it names no key type');
  // A key the file already settles needs no lock (nor a writable directory).
  if ((await readAndCheck(file, host, port, key)).trusted) return { recorded: false, line: undefined };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Two first connections to the same host must not both find it unknown and both append a key.
  return withFileLock(file, async () => {
    const { existing, trusted } = await readAndCheck(file, host, port, key);
    if (trusted) return { recorded: false, line: undefined };
    const name = knownHostsName(host, port);
    const line = `${options.hash === false ? name : hashKnownHostsName(name)} ${keyType} ${Buffer.from(key).toString('base64')}`;
    const handle = await open(file, 'a', 0o600);
    try {
      const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
      await handle.write(`${separator}${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { recorded: true, line };
  });
}

/** The file as it is now, and whether it trusts `key` for the host; a changed or revoked key throws. */
async function readAndCheck(
  file: string,
  host: string,
  port: number,
  key: Uint8Array,
): Promise<{ existing: string; trusted: boolean }> {
  const existing = await readExisting(file);
  const check = checkHostKey(parseKnownHosts(existing, { file }).value, host, port, key);
  if (check.status !== 'trusted' && check.status !== 'unknown') throw new HostKeyError(check);
  return { existing, trusted: check.status === 'trusted' };
}

async function readExisting(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
