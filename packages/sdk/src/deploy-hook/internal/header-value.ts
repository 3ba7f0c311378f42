/** Request headers: a `Headers` object or a plain record (any case). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | string[] | undefined>>;

/** One header's value from a `Headers` object or a plain record. */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
