import { z } from 'zod';

const DOTTED_NUMBERS = /^[\d.]+$/;

/** True for an IPv6 address (which URLs need in brackets). */
export function isIpv6(address: string): boolean {
  return z.regexes.ipv6.test(address);
}

/**
 * True for an IPv4 address, an IPv6 address (no brackets, no zone) or a DNS name. A name made only
 * of digits and dots must be a valid IPv4 address: `999.1.1.1` is a typo, not a host name.
 */
export function isAddress(address: string): boolean {
  if (z.regexes.ipv4.test(address) || isIpv6(address)) return true;
  return !DOTTED_NUMBERS.test(address) && z.regexes.hostname.test(address);
}

/** The address as the host part of a URL: IPv6 in brackets. */
export function urlHost(address: string): string {
  return isIpv6(address) ? `[${address}]` : address;
}

/**
 * The address in one spelling, to tell whether two addresses are the same: lower case, without
 * the trailing dot of a fully qualified name (`ezra.lan.` is `ezra.lan`), IPv6 compressed
 * (`0:0:0:0:0:0:0:1` is `::1`).
 */
export function addressKey(address: string): string {
  const url = `http://[${address}]`;
  if (isIpv6(address) && URL.canParse(url)) return new URL(url).hostname;
  return address.toLowerCase().replace(/\.$/, '');
}
