import type { PathAttributes } from '../../executor.ts';

// Writes stdin to a new temp file beside the target (umask 077, noclobber: only root reads it until
// chmod), checks that it got every byte (a lost connection ends stdin early: sshd closes the pipe,
// and `cat` sees an end of file), gives it the owner, group and mode asked for or else the replaced
// file's (root and 0644 for a new file), fsyncs it (coreutils `sync FILE`) and renames it over the
// target (`mv -T`, one rename(2)); on any failure the temp file is removed and the target is
// untouched. dash runs no EXIT trap when a signal kills it (a timeout or a lost connection's cleanup
// sends SIGTERM), so SIGTERM, SIGINT and SIGHUP exit through it. Fixed text: paths, size and
// attributes are its positional parameters, the content is stdin, never an argument.
const WRITE_SCRIPT = `umask 077; set -C
p=$1 t=$2 o=$3 g=$4 m=$5 n=$6 ou= og= om=644
trap 'rm -f -- "$t"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -f "$p" ] && [ ! -L "$p" ]; then
  s=$(stat -c '%u %g %a' -- "$p") || exit 1
  ou=\${s%% *}; s=\${s#* }; og=\${s%% *}; om=\${s#* }
fi
u=\${o:-$ou} r=\${g:-$og}
cat > "$t" || exit 1
[ "$(wc -c < "$t")" -eq "$n" ] || exit 1
if [ -n "$u$r" ]; then chown -- "$u\${r:+:$r}" "$t" || exit 1; fi
chmod "\${m:-$om}" -- "$t" && sync -- "$t" && mv -T -- "$t" "$p" || exit 1
trap - EXIT
`;

// A temp symlink renamed over the path (`ln -s` + `mv -T`), removed again if the rename fails.
const SYMLINK_SCRIPT = `ln -s -- "$1" "$3" || exit 1
mv -T -- "$3" "$2" || { rm -f -- "$3"; exit 1; }
`;

/**
 * The `sh` script and its arguments that replace `path` atomically with stdin, which must be `size`
 * bytes (fewer, and `path` is left as it was), for a sudo login.
 */
export function writeScript(path: string, temp: string, size: number, attributes: PathAttributes): [string, string[]] {
  const { owner, group, mode } = attributes;
  const octal = mode === undefined ? '' : (mode & 0o7777).toString(8);
  return [WRITE_SCRIPT, [path, temp, String(owner ?? ''), String(group ?? ''), octal, String(size)]];
}

/** The `sh` script and its arguments that point the symlink `path` at `target` atomically. */
export function symlinkScript(target: string, path: string, temp: string): [string, string[]] {
  return [SYMLINK_SCRIPT, [target, path, temp]];
}
