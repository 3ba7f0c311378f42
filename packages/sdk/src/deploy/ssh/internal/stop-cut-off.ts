import { timeoutPattern } from '../../internal/remote-command.ts';
import { shellJoin } from '../../internal/shell-quote.ts';

/** After the SIGKILL, how long a cut-off command's processes may take to be gone, in ms. */
const KILL_WAIT_MS = 2_000;
/** On top of both waits, before the host's `timeout` ends the stop script itself, in ms. */
const SCRIPT_SLACK_MS = 5_000;

// Finds the `timeout` process of each cut-off command by its pattern and its process group (the
// command's processes), sends the `timeout` SIGTERM (it passes it on to the group and SIGKILLs the
// group after its own kill grace), then polls every 0.1 s until no process of those groups is left
// but zombies; after $1 ms it SIGKILLs the groups itself and polls for $2 ms more. Exits 0 once they
// are gone (or none was found), 1 with their pids on stderr if they are still there. GNU `date +%N`
// and `sleep 0.1` (the hosts are Debian). Fixed text: the waits and patterns are its parameters.
const STOP_SCRIPT = `g=$1 k=$2; shift 2
p=
for m in "$@"; do p="$p $(pgrep -f -- "$m")"; done
set -- $p
[ $# -gt 0 ] || exit 0
r=
for i in "$@"; do r="$r $(ps -o pgid= -p "$i")"; done
r=" $(echo $r) "
kill -s TERM "$@" 2>/dev/null
left() {
  ps -A -o pid= -o pgid= -o stat= | awk -v r="$r" 'index(r, " " $2 " ") && $3 !~ /^Z/ { printf " %s", $1 }'
}
now() { echo $(($(date +%s%N) / 1000000)); }
gone() {
  e=$(($(now) + $1))
  while [ -n "$(left)" ]; do
    [ "$(now)" -lt "$e" ] || return 1
    sleep 0.1
  done
}
gone "$g" && exit 0
for i in $r; do kill -s KILL -- "-$i" 2>/dev/null; done
gone "$k" && exit 0
echo "still running $g ms after SIGTERM and $k ms after SIGKILL (pids$(left))" >&2
exit 1
`;

/** How long {@link stopCutOffLine} may run on the host at most, in ms (its `timeout`). */
export function stopCutOffMs(killGraceMs: number): number {
  return killGraceMs + KILL_WAIT_MS + SCRIPT_SLACK_MS;
}

/**
 * The command line that stops the {@link remoteCommand}s with these markers, run by `sudoUser`
 * (the login user if `undefined`), and waits until they are gone: SIGTERM, up to `killGraceMs`,
 * then SIGKILL. It fails, saying what is still running, if they are not gone even then; the host's
 * `timeout` bounds it whatever becomes of the connection.
 */
export function stopCutOffLine(markers: readonly string[], sudoUser: string | undefined, killGraceMs: number): string {
  const limit = `${Math.ceil(stopCutOffMs(killGraceMs) / 1000)}s`;
  const sudo = sudoUser === undefined ? [] : ['sudo', '-n', '-u', sudoUser, '--'];
  const waits = [String(Math.ceil(killGraceMs)), String(KILL_WAIT_MS)];
  const script = ['timeout', '-k', '1s', limit, 'sh', '-c', STOP_SCRIPT, 'sh', ...waits];
  return shellJoin([...sudo, ...script, ...markers.map(timeoutPattern)]);
}
