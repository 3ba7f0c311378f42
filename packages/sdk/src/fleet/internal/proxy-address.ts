import { z } from 'zod';

const PREFIX = /^\d{1,3}$/;
const MAPPED_IPV4 = /^::ffff:/i;

/** 4 or 6 for an IP address (IPv6 also in its IPv4-mapped form, `::ffff:10.0.0.1`), else 0. */
function ipFamily(address: string): 0 | 4 | 6 {
  if (z.regexes.ipv4.test(address)) return 4;
  if (z.regexes.ipv6.test(address)) return 6;
  return MAPPED_IPV4.test(address) && z.regexes.ipv4.test(address.slice(7)) ? 6 : 0;
}

/**
 * True for what the dashboard's `--trust-proxy` takes: an IP address (`127.0.0.1`, `::1`) or a CIDR
 * range (`10.0.0.0/8`, `fd00::/8`), the same entries its `TrustedProxies` accepts.
 */
export function isProxyAddress(entry: string): boolean {
  const slash = entry.indexOf('/');
  const family = ipFamily(slash === -1 ? entry : entry.slice(0, slash));
  if (family === 0 || slash === -1) return family !== 0;
  const bits = entry.slice(slash + 1);
  return PREFIX.test(bits) && Number(bits) <= (family === 6 ? 128 : 32);
}

/** A trusted proxy in the fleet file: an IP address or a CIDR range. */
export const ProxyAddress = z
  .string()
  .refine(isProxyAddress, 'must be an IP address or a CIDR range such as 10.0.0.0/8')
  .describe('IP address or CIDR range');
