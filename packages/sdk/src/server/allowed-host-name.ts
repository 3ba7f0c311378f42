const HOST_LABELS = /^(?:\*|\.?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*)$/;

/**
 * One entry of an allow-list, normalized: a host name (`bus.internal`), a leading dot for the name
 * and every subdomain (`.example.com`), or `*` for any host (turns the guard off). Throws a
 * `TypeError` naming the entry when it is none of these (a URL, a port).
 */
export function allowedHostName(entry: string): string {
  const name = entry.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST_LABELS.test(name)) {
    throw new TypeError(
      `allowed host "${entry}" is not a host name: give the name alone (bus.internal), .example.com for a domain and its subdomains, or * for any`,
    );
  }
  return name;
}
