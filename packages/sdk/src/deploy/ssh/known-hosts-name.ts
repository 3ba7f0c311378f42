/** The SSH port: a host on it is written `host` in `known_hosts`, on any other `[host]:port`. */
export const DEFAULT_SSH_PORT = 22;

/**
 * The name under which OpenSSH looks a host up in `known_hosts` (and hashes it, for `|1|`
 * entries): the host in lower case, as `host` on port 22 and `[host]:port` on any other port.
 * Brackets around an IPv6 address (`[::1]`) are dropped first.
 *
 * @example
 * ```ts
 * knownHostsName('Web1.example.com'); // 'web1.example.com'
 * knownHostsName('10.0.0.5', 2222); // '[10.0.0.5]:2222'
 * ```
 */
export function knownHostsName(host: string, port: number = DEFAULT_SSH_PORT): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid SSH port: ${port}`);
  const bare = (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
  if (bare === '') throw new RangeError('empty SSH host');
  return port === DEFAULT_SSH_PORT ? bare : `[${bare}]:${port}`;
}

/**
 * `host:port` for messages: `10.0.0.5:22`, `web1:2222`, `[::1]:22` (an IPv6 address is bracketed).
 */
export function hostAndPort(host: string, port: number = DEFAULT_SSH_PORT): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}
