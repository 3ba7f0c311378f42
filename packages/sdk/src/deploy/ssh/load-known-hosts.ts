import { readFile } from 'node:fs/promises';
import type { KnownHostsParseResult } from './known-hosts.ts';
import { parseKnownHosts } from './parse-known-hosts.ts';

/**
 * Reads and parses a `known_hosts` file (see {@link parseKnownHosts}). A missing file knows no
 * host (every host is `unknown`), as for OpenSSH; a file that cannot be read for another reason is
 * one error at its first line, with no entries, rather than an exception.
 *
 * @example
 * ```ts
 * const { value: knownHosts, errors } = await loadKnownHosts(join(homedir(), '.ssh', 'known_hosts'));
 * ```
 */
export async function loadKnownHosts(file: string): Promise<KnownHostsParseResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseKnownHosts('', { file });
    const message = `cannot read the known_hosts file: ${(error as Error).message}`;
    return {
      value: { file, entries: [] },
      errors: [{ file, line: 1, column: 1, message, severity: 'error' }],
      warnings: [],
    };
  }
  return parseKnownHosts(text, { file });
}
