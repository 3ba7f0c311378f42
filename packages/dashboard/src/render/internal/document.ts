import { html, raw, type SafeHtml } from './html.ts';
import { STYLES } from './styles.ts';

/** What goes into the shared HTML document shell. */
export interface DocumentParts {
  title: string;
  body: SafeHtml;
  /** JavaScript source run at the end of the body. */
  script?: string | undefined;
  /** CSP nonce put on the inline `<style>` and `<script>`. */
  nonce?: string | undefined;
  /** Reload interval for browsers without JavaScript (0: never). */
  refreshSeconds: number;
}

/** A complete HTML document: the embedded stylesheet, no external assets (even the favicon is inline). */
export function renderDocument(parts: DocumentParts): string {
  const nonce = parts.nonce ? html` nonce="${parts.nonce}"` : '';
  // Without JavaScript there is no live update, so such browsers reload instead.
  const refresh =
    parts.refreshSeconds > 0
      ? html`<noscript><meta http-equiv="refresh" content="${parts.refreshSeconds}"></noscript>`
      : '';
  const script = parts.script ? html`<script${nonce}>${raw(parts.script)}</script>` : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><link rel="icon" href="data:,"><title>${parts.title}</title>${refresh}<style${nonce}>${raw(STYLES)}</style></head>
<body>${parts.body}${script}</body></html>
`.value;
}
