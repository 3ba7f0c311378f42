/**
 * Number and time formatting shared by the pages. Times are shown in UTC so that a page rendered on
 * the server reads the same for everyone and tests are deterministic.
 */

import { truncatedPercent } from '@fleet/sdk/fleet';

/** `0.99987` → `99.98 %` (truncated, so anything short of perfect never reads as 100 %); null → `—`. */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return '—';
  if (fraction >= 1) return '100 %';
  return `${truncatedPercent(fraction)} %`;
}

/** `42.4` → `42 ms`, `1530` → `1.53 s`; null → `—`. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A duration in seconds as its two largest units: `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** `2025-11-30T12:34:56.789Z` → `2025-11-30 12:34:56 UTC`. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `HH:MM` in UTC, or `MM-DD` when `withDate`, for chart axes. */
export function formatAxisTime(ms: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** Seconds from `iso` to `nowMs`, or null when `iso` is not a time. */
export function secondsSince(iso: string, nowMs: number): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : (nowMs - ms) / 1000;
}
