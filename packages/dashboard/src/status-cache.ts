import { randomBytes } from 'node:crypto';
import type { FleetStatus } from '@fleet/sdk';

/** One built status, serialized once for every request that reads it. */
export interface CachedStatus {
  /** The status. Treat it as read-only: it is shared. */
  readonly status: FleetStatus;
  /** `JSON.stringify(status)`, the body of `GET /api/status`. */
  readonly json: string;
  /** Strong ETag of this build, unique across restarts. */
  readonly etag: string;
  /** Counts the builds, from 1. */
  readonly version: number;
}

/** Options of {@link StatusCache}. */
export interface StatusCacheOptions {
  /**
   * Least time between two builds, in ms: a change within it is built on the first read after it,
   * so a read is at most this stale while changes pour in.
   * @default 100
   */
  minIntervalMs?: number;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
}

/**
 * The dashboard's status, rebuilt only after something changed (a probe, a state change, a fleet
 * file reload), at most once per `minIntervalMs`, and only when someone reads it. Every build gets
 * a new ETag, so an unchanged status answers `304 Not Modified`.
 */
export class StatusCache {
  readonly #build: () => FleetStatus;
  readonly #minIntervalMs: number;
  readonly #now: () => number;
  // Tells builds of two server runs apart: their version counters both start at 1.
  readonly #boot = randomBytes(6).toString('base64url');
  #cached: CachedStatus | undefined;
  #builtAt = Number.NEGATIVE_INFINITY;
  #dirty = true;

  constructor(build: () => FleetStatus, options: StatusCacheOptions = {}) {
    this.#build = build;
    this.#minIntervalMs = options.minIntervalMs ?? 100;
    this.#now = options.now ?? Date.now;
  }

  /** Whether something changed since the last build. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Marks the status changed; the next read after `minIntervalMs` rebuilds it. */
  invalidate(): void {
    this.#dirty = true;
  }

  /**
   * The current status: the cached build, or a new one when something changed and the last build
   * is at least `minIntervalMs` old (or `fresh` is set).
   */
  get(fresh = false): CachedStatus {
    const now = this.#now();
    if (!this.#cached || (this.#dirty && (fresh || now - this.#builtAt >= this.#minIntervalMs))) {
      // Cleared first: a change during the build marks the next one.
      this.#dirty = false;
      this.#builtAt = now;
      const status = this.#build();
      const version = (this.#cached?.version ?? 0) + 1;
      this.#cached = { status, json: JSON.stringify(status), etag: `"${this.#boot}-${version}"`, version };
    }
    return this.#cached;
  }
}

/**
 * Whether an `If-None-Match` header names `etag` (or is `*`). Weak validators match too: the
 * comparison for `If-None-Match` is the weak one (RFC 9110, 13.1.2).
 */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
