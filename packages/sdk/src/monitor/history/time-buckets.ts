/** Length of a rollup bucket: 5 minutes. */
export const BUCKET_MS = 5 * 60_000;
/** An hour: the 5-minute aggregates are stored one row per target and hour. */
export const HOUR_MS = 3_600_000;
/** A day (UTC): daily aggregates. */
export const DAY_MS = 86_400_000;
/** 5-minute buckets per hour. */
export const BUCKETS_PER_HOUR = HOUR_MS / BUCKET_MS;
/** 5-minute buckets per day. */
export const BUCKETS_PER_DAY = DAY_MS / BUCKET_MS;

/** How long each resolution is kept. */
export const RETENTION_MS = {
  raw: 48 * HOUR_MS,
  '5m': 30 * DAY_MS,
  '1d': 365 * DAY_MS,
  transitions: 365 * DAY_MS,
} as const;

/** The 5-minute bucket number of an instant. */
export const bucketOf = (ms: number): number => Math.floor(ms / BUCKET_MS);
/** The hour number of an instant. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
/** The UTC day number of an instant. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
