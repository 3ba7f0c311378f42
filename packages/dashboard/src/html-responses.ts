import { randomBytes } from 'node:crypto';
import { HTTPResponse } from 'h3';
import { renderDocument } from './render/internal/document.ts';
import { html } from './render/internal/html.ts';

/** Options of {@link htmlResponse}. */
export interface HtmlResponseOptions {
  /** @default 200 */
  status?: number;
  /** The nonce the page's inline `<style>` and `<script>` carry; the answer's CSP allows only those. */
  nonce?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** A fresh CSP nonce for one page. */
export function pageNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content-Security-Policy of a page: its own inline style and script (by nonce), the event
 * stream on this origin, nothing else (no plugins, frames, forms or foreign requests).
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** An HTML answer: never cached (it shows live state), no referrer (a `?token=` must not leak). */
export function htmlResponse(body: string, options: HtmlResponseOptions = {}): HTTPResponse {
  return new HTTPResponse(body, {
    status: options.status ?? 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      ...(options.nonce ? { 'content-security-policy': contentSecurityPolicy(options.nonce) } : {}),
      ...options.headers,
    },
  });
}

/** An SVG answer, cacheable for a few seconds (badges are embedded in other pages and READMEs). */
export function svgResponse(body: string, maxAgeSeconds: number, shared: boolean): HTTPResponse {
  return new HTTPResponse(body, {
    headers: {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': `${shared ? 'public' : 'private'}, max-age=${maxAgeSeconds}`,
      // Opened on its own, an SVG is a document: it may run nothing.
      'content-security-policy': "default-src 'none'",
      'x-content-type-options': 'nosniff',
    },
  });
}

/** The error code of a notice's status, as the envelope would name it. */
const NOTICE_CODES = { 401: 'unauthorized', 404: 'not_found' } as const;

/**
 * A short HTML page for a 401 or a 404: what happened and a way back. All text is escaped. Its
 * `<main>` carries the status and the error code (`data-code`), as `/openapi.json` documents.
 */
export function noticeResponse(status: 401 | 404, heading: string, message: string, title: string): HTTPResponse {
  const nonce = pageNonce();
  const body = html`<header class="top"><h1><a href="/">${title}</a></h1></header><main id="notice" data-status="${status}" data-code="${NOTICE_CODES[status]}"><section class="card"><h2>${heading}</h2><p>${message}</p><p><a href="/">Back to the fleet overview</a></p></section></main>`;
  return htmlResponse(renderDocument({ title: `${heading} · ${title}`, body, nonce, refreshSeconds: 0 }), {
    status,
    nonce,
    headers: status === 401 ? { 'www-authenticate': 'Bearer' } : {},
  });
}

/** A 303 to `location`, with extra headers (a `Set-Cookie`). */
export function redirectResponse(location: string, headers: Record<string, string> = {}): HTTPResponse {
  return new HTTPResponse(null, {
    status: 303,
    headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers },
  });
}
