/** `text` with every secret of at least 4 characters replaced by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join('***');
  }
  return result;
}

/** The part of a URL safe to show: a webhook's path and query may hold its secret. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
