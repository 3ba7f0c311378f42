import { BUNDLE_MARKER } from '../release-id.ts';

/**
 * How many minutes a leftover of an earlier install must have gone unmodified before
 * {@link INSTALL_BUNDLE_SCRIPT} removes it, when the install's timeout is the executor's (300 s):
 * the deploy lock already keeps two deploys apart, and this keeps an install in progress (its
 * upload being written, its `.partial` being extracted) safe even from a run that did not take it.
 */
export const LEFTOVER_MINUTES = 10;

/** {@link LEFTOVER_MINUTES}, or longer for an install allowed more than 5 minutes (`timeoutMs`). */
export function leftoverMinutes(timeoutMs?: number): number {
  return Math.max(LEFTOVER_MINUTES, Math.ceil((timeoutMs ?? 0) / 60_000) + 5);
}

/**
 * The `sh` script that installs an uploaded bundle, run in `<base>/releases` with the upload as
 * `$1`, the release's name as `$2`, the bundle's SHA-256 as `$3` and, optionally, how old in
 * minutes a leftover must be as `$4` (@default {@link LEFTOVER_MINUTES}): it extracts the upload into
 * `$2.partial`, writes the marker last, then renames the directory into place, so that a release
 * under its final name is always whole. Whatever happens, the upload and a half-made directory
 * are removed: dash runs no `EXIT` trap when a signal kills it, and a timeout, an abort or a lost
 * connection's cleanup stops the script with SIGTERM, so SIGTERM, SIGINT and SIGHUP exit through
 * it (with the shell's 128 + signal code).
 *
 * No trap runs when the install (or the upload before it) is SIGKILLed or the host reboots, so it
 * first removes, directly under `releases/` only, what such runs left: `*.partial` directories,
 * uploads (`.<id>.tar.gz`) and their upload temp files (`.<id>.tar.gz.fleet-<hex>.tmp`), unless
 * they are this run's or were modified in the last `$4` minutes. Releases
 * (never hidden, never `.partial`) are not touched; a failure to remove one is no failure.
 */
export const INSTALL_BUNDLE_SCRIPT = `set -e
trap 'rm -rf -- "$1" "$2.partial"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
find . ! -name . -prune \\( -type d -name '*.partial' -o -type f -name '.*.tar.gz' -o -type f -name '.*.tar.gz.fleet-*.tmp' \\) \\
  ! -name "$1" ! -name "$2.partial" -mmin "+\${4:-${LEFTOVER_MINUTES}}" -exec rm -rf -- {} + 2>/dev/null || :
rm -rf -- "$2.partial"
mkdir -- "$2.partial"
tar -xzf "$1" -C "$2.partial" --no-same-owner
printf '%s\\n' "$3" > "$2.partial/${BUNDLE_MARKER}"
mv -T -- "$2.partial" "$2"`;
