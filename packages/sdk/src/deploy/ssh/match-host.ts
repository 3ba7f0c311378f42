import { matchesHashedName } from './hashed-name.ts';
import { matchPattern } from './internal/match-pattern.ts';
import type { KnownHosts, KnownHostsEntry } from './known-hosts.ts';
import { knownHostsName } from './known-hosts-name.ts';

/**
 * Whether a `known_hosts` line names a host, as OpenSSH decides it: the patterns are matched
 * against the name as {@link knownHostsName} writes it (`host` on port 22, `[host]:port` on any
 * other), so `*` matches every host on every port while `*.example.com` matches port 22 only
 * (write `[*.example.com]:2222` for another port). A matching `!pattern` excludes the host from the
 * whole line; a line of negations alone matches nothing. A hashed name matches its one name.
 *
 * @param name From {@link knownHostsName}.
 */
export function entryMatchesName(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hosts.kind === 'hashed') return matchesHashedName(entry.hosts.hashed, name);
  let matched = false;
  for (const { pattern, negated } of entry.hosts.patterns) {
    if (!matchPattern(name, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/**
 * The plain host-key lines for a host, in file order: the keys it may present. `@revoked` and
 * `@cert-authority` lines are never among them.
 *
 * @example
 * ```ts
 * hostKeyEntries(knownHosts, '10.0.0.5', 2222).map((entry) => entry.keyType); // ['ssh-ed25519']
 * ```
 */
export function hostKeyEntries(knownHosts: KnownHosts, host: string, port?: number): KnownHostsEntry[] {
  const name = knownHostsName(host, port);
  return knownHosts.entries.filter((entry) => entry.marker === undefined && entryMatchesName(entry, name));
}

/**
 * The key types `known_hosts` pins for a host (`['ssh-ed25519', 'ssh-rsa']`), without
 * repetition, in file order; empty for a host it does not know. Give them to
 * {@link hostKeyAlgorithms} for ssh2's `algorithms.serverHostKey`, so that a host pinned by its
 * RSA key is asked for that key rather than its ed25519 key (a false "changed" key).
 */
export function knownHostKeyTypes(knownHosts: KnownHosts, host: string, port?: number): string[] {
  return [...new Set(hostKeyEntries(knownHosts, host, port).map((entry) => entry.keyType))];
}
