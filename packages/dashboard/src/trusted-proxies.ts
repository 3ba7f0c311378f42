import { BlockList, isIP } from 'node:net';
import type { H3Event } from 'h3';

/**
 * The proxies whose `X-Forwarded-Proto` the dashboard believes: exact addresses (`127.0.0.1`,
 * `::1`) or CIDR ranges (`10.0.0.0/8`). An IPv4 entry also matches its IPv4-mapped IPv6 form
 * (`::ffff:127.0.0.1`), which is how a dual-stack socket reports an IPv4 peer.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  /** Parses `addresses`; throws a `TypeError` naming the first entry that is neither an IP nor a CIDR range. */
  constructor(addresses: readonly string[]) {
    for (const raw of addresses) {
      const entry = raw.trim();
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const bits = slash === -1 ? undefined : entry.slice(slash + 1);
      const prefix = bits === undefined ? undefined : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
      if (family === 0 || (prefix !== undefined && !(prefix <= (family === 6 ? 128 : 32)))) {
        throw new TypeError(`trusted proxy "${raw}" is not an IP address or a CIDR range (10.0.0.0/8)`);
      }
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, prefix, type);
    }
    this.#empty = addresses.length === 0;
  }

  /** Whether `address` (a TCP peer) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean {
    if (this.#empty || !address) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * Whether the browser loaded the page over HTTPS: the connection itself is TLS, or the TCP peer is
   * a trusted proxy whose `X-Forwarded-Proto` says `https` (the last value, the one that proxy
   * added). From any other peer the header is ignored: anyone could send it.
   */
  isHttps(event: H3Event): boolean {
    if (event.url.protocol === 'https:') return true;
    const forwarded = event.req.headers.get('x-forwarded-proto');
    if (forwarded === null || !this.trusts(event.req.ip)) return false;
    return forwarded.split(',').at(-1)?.trim().toLowerCase() === 'https';
  }
}
