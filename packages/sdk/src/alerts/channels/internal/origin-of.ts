/** The part of a URL safe to show: a webhook's path and query may hold its secret. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
