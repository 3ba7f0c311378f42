/**
 * The base URL of a Fleet server from its health URL: the URL's directory, so
 * `http://10.0.0.5:8650/health` gives `http://10.0.0.5:8650` and a server mounted under a path
 * (`https://ops.example/bus/health`) gives `https://ops.example/bus`.
 */
export function serviceBaseUrl(healthUrl: string): string {
  const url = new URL('./', healthUrl);
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
