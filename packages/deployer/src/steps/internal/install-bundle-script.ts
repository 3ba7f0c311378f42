import { BUNDLE_MARKER } from '../release-id.ts';

/**
 * The `sh` script that installs an uploaded bundle, run in `<base>/releases` with the upload as
 * `$1`, the release's name as `$2` and the bundle's SHA-256 as `$3`: it extracts the upload into
 * `$2.partial`, writes the marker last, then renames the directory into place, so that a release
 * under its final name is always whole. Whatever happens, the upload and a half-made directory
 * are removed: dash runs no `EXIT` trap when a signal kills it, and a timeout, an abort or a lost
 * connection's cleanup stops the script with SIGTERM, so SIGTERM, SIGINT and SIGHUP exit through
 * it (with the shell's 128 + signal code).
 */
export const INSTALL_BUNDLE_SCRIPT = `set -e
trap 'rm -rf -- "$1" "$2.partial"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf -- "$2.partial"
mkdir -- "$2.partial"
tar -xzf "$1" -C "$2.partial" --no-same-owner
printf '%s\\n' "$3" > "$2.partial/${BUNDLE_MARKER}"
mv -T -- "$2.partial" "$2"`;
