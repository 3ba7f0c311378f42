// The executors' defaults, one table for LocalExecutor and SshExecutor (their options document them).

/** Default command timeout, in ms. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Between SIGTERM and SIGKILL of a timed-out command, in ms. */
export const DEFAULT_KILL_GRACE_MS = 5_000;
/** Bytes of a command's output kept (its tail). */
export const DEFAULT_MAX_OUTPUT_BYTES = 65_536;
/** Largest file whose content a probe returns (larger ones get only a `sha256`). */
export const DEFAULT_PROBE_MAX_BYTES = 1_048_576;
