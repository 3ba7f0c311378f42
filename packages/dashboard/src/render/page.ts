import type { FleetStatus } from '@fleet/sdk';
import { type ClientScriptOptions, clientScript } from './client-script.ts';
import { renderDocument } from './internal/document.ts';
import { html, raw } from './internal/html.ts';
import { documentTitle } from './internal/title.ts';
import { type OverviewOptions, renderOverview } from './overview.ts';

/** Options of {@link renderPage}. */
export interface PageOptions extends OverviewOptions {
  /**
   * Inline the live updater ({@link clientScript}); without it the page is static.
   * @default true
   */
  live?: boolean;
  /**
   * Where the live updater connects.
   * @default '/api/events'
   */
  eventsUrl?: string;
  /** See {@link ClientScriptOptions.staleAfterMs}. @default 45000 */
  staleAfterMs?: number;
  /**
   * Seconds after which a browser without JavaScript reloads the page (0: never).
   * @default 30
   */
  refreshSeconds?: number;
  /**
   * A CSP nonce for the inline `<style>` and `<script>`, when the server sends a
   * `Content-Security-Policy` with `'nonce-…'` sources.
   * @example { nonce: randomBytes(16).toString('base64') }
   */
  nonce?: string;
}

/**
 * The dashboard's home page `/` as a complete HTML document: a header with the live indicator, the
 * notice the live updater shows when the page went stale, and the overview ({@link renderOverview}). Readable and usable without JavaScript (it then reloads
 * every `refreshSeconds`); with JavaScript it updates itself over `/api/events`.
 *
 * @example
 * return new Response(renderPage(status, { history }), { headers: { 'content-type': 'text/html; charset=utf-8' } })
 */
export function renderPage(status: FleetStatus, options: PageOptions = {}): string {
  const title = options.title ?? 'Fleet';
  const live = options.live ?? true;
  const body = html`<header class="top"><h1><a href="/">${title}</a></h1><span id="live" class="live" data-live="off" role="status" hidden></span></header><p id="stale" class="stale" role="alert" hidden></p>${raw(renderOverview(status, options))}`;
  return renderDocument({
    title: documentTitle(status, title),
    body,
    script: live
      ? clientScript({
          ...(options.eventsUrl === undefined ? {} : { eventsUrl: options.eventsUrl }),
          ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
        })
      : undefined,
    nonce: options.nonce,
    refreshSeconds: options.refreshSeconds ?? 30,
  });
}
