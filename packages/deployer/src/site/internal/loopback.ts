/** True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}
