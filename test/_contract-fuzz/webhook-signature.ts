import { createHmac } from 'node:crypto';
import type { FuzzCase } from './broken-requests.ts';
import type { FuzzRequest } from './send.ts';

/** How a server authenticates one of its routes by a signature over the body instead of a token. */
export interface BodySigner {
  /** The documented path of the signed route, e.g. `/webhook`. */
  path: string;
  /** The request as a sender with the secret sends it: signed, with the headers the route needs. */
  sign(request: FuzzRequest): FuzzRequest;
  /**
   * Requests the route must refuse: with 401 `unauthorized` when unsigned, signed wrong or with
   * another secret; with 400 `validation_failed` naming the header when signed without the event
   * or delivery header.
   */
  broken(valid: FuzzRequest): FuzzCase[];
}

function hmac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Signs requests as GitHub does (`X-Hub-Signature-256: sha256=<hex>` of HMAC-SHA256 over the
 * exact body, `X-GitHub-Event: push`, a fresh `X-GitHub-Delivery`), and makes the deliveries a
 * forger could send.
 */
export function githubSigner(path: string, secret: string): BodySigner {
  let delivery = 0;
  const headersOf = (request: FuzzRequest): Record<string, string> => {
    const { authorization: _, ...rest } = request.headers;
    return { ...rest, 'x-github-event': 'push', 'x-github-delivery': `fuzz-${++delivery}` };
  };
  return {
    path,
    sign(request) {
      const body = request.body ?? '';
      return { ...request, headers: { ...headersOf(request), 'x-hub-signature-256': `sha256=${hmac(secret, body)}` } };
    },
    broken(valid) {
      const body = valid.body ?? '';
      const signed = (label: string, signature: Record<string, string>): FuzzCase => ({
        ...valid,
        label: `signature: ${label}`,
        headers: { ...headersOf(valid), ...signature },
        expect: ['unauthorized'],
      });
      return [
        signed('none', {}),
        signed('with another secret', { 'x-hub-signature-256': `sha256=${hmac(`${secret}-not`, body)}` }),
        signed('of another body', { 'x-hub-signature-256': `sha256=${hmac(secret, `${body} `)}` }),
        signed('not hex', { 'x-hub-signature-256': `sha256=${'zz'.repeat(32)}` }),
        signed('truncated', { 'x-hub-signature-256': `sha256=${hmac(secret, body).slice(0, 40)}` }),
        signed('without its sha256= prefix', { 'x-hub-signature-256': hmac(secret, body) }),
        signed('as a Gitea signature with another secret', { 'x-gitea-signature': hmac('other', body) }),
        signed('empty', { 'x-hub-signature-256': '' }),
        { ...signed('as a bearer token', {}), headers: { ...headersOf(valid), authorization: `Bearer ${secret}` } },
        ...(['x-github-event', 'x-github-delivery'] as const).map((name): FuzzCase => {
          const { [name]: _, ...headers } = this.sign(valid).headers;
          return { ...valid, label: `signed, without ${name}`, headers, expect: ['validation_failed'], field: name };
        }),
      ];
    },
  };
}
