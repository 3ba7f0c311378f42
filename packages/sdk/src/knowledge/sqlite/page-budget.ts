import type { FactRow } from './rows.ts';

/**
 * Most bytes of values (JSON text as UTF-8, as the answer carries them) one page carries: a feed or
 * snapshot page, or a `GET /facts` query page. It keeps a page of large values a few MiB (2,500
 * values near the 256 KiB limit would be 640 MiB, past the longest string V8 can build; 1,000
 * would be far past a client's `maxResponseBytes`). A page holds at least one row, whatever its size.
 */
export const MAX_PAGE_VALUE_BYTES = 4 * 1024 * 1024;

/**
 * Cuts `rows` (read in page order with one row beyond `limit`) in place to the page: at most
 * `limit` rows, and only as many as fit {@link MAX_PAGE_VALUE_BYTES} (at least one). Returns
 * whether more rows follow the page; the next page then starts right after its last row.
 */
export function cutPage(rows: FactRow[], limit: number): boolean {
  let keep = Math.min(rows.length, limit);
  let bytes = 0;
  for (let i = 0; i < keep; i++) {
    const value = rows[i]!.value;
    bytes += value === null ? 0 : Buffer.byteLength(value);
    if (bytes > MAX_PAGE_VALUE_BYTES && i > 0) keep = i;
  }
  const hasMore = rows.length > keep;
  rows.length = keep;
  return hasMore;
}
