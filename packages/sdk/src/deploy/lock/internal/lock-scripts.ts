// The lock's host side: fixed `sh` scripts, values only as arguments. Times are milliseconds on
// the lock host's clock (GNU `date`), so deployers with skewed clocks agree on a lock's age.

// Prints `absent`, or `held <now> <dir mtime> <owner.json mtime or ->` and then owner.json.
const STATUS = `status() {
  now=$(date +%s%3N)
  dm=$(date -r "$1" +%s%3N 2>/dev/null) || { echo absent; return 0; }
  om=$(date -r "$1/owner.json" +%s%3N 2>/dev/null) || om=-
  echo "held $now $dm $om"
  [ "$om" = - ] || cat -- "$1/owner.json" 2>/dev/null
  return 0
}`;

/** `$1` lock dir. Exit 0 and the status. */
export const READ = `${STATUS}
status "$1"`;

/**
 * Under the parent's flock. `$1` lock dir. `mkdir` (never `-p`) is the atomic test-and-set: exit
 * 0 when this call made it, 1 and the status when it is there, 2 when it cannot be made.
 */
export const ACQUIRE = `${STATUS}
mkdir -- "$1" 2>/dev/null && exit 0
[ -d "$1" ] || { mkdir -- "$1" && exit 0; exit 2; }
status "$1"
exit 1`;

/**
 * Under the parent's flock. `$1` lock dir, `$2` TTL for a lock without owner.json, `$3` a unique
 * name beside it. Takes a stale lock over: checks again that it is stale (by its owner's TTL),
 * renames it away, makes a fresh one. Exit 0 taken; 1 someone made a fresh one in between; 3 it
 * is gone; 4 no longer stale (its holder is alive, or another deployer took it over first).
 */
export const TAKE_OVER = `d=$1; ttl=$2; t=$3
[ -d "$d" ] || exit 3
now=$(date +%s%3N)
if m=$(date -r "$d/owner.json" +%s%3N 2>/dev/null); then
  o=$(sed -n 's/.*"ttlMs":\\([0-9][0-9]*\\).*/\\1/p' "$d/owner.json" 2>/dev/null)
  [ -n "$o" ] && ttl=$o
else
  m=$(date -r "$d" +%s%3N 2>/dev/null) || exit 3
fi
[ $((now - m)) -gt "$ttl" ] || exit 4
mv -T -- "$d" "$t" || exit 2
mkdir -- "$d"; made=$?
rm -rf -- "$t"
[ $made = 0 ] || exit 1
exit 0`;

/**
 * Under the parent's flock. `$1` lock dir, `$2` text owner.json must contain (empty: anything,
 * even no owner.json), `$3` a unique name beside it. Exit 0 removed; 3 gone or not that holder's.
 */
export const REMOVE = `[ -d "$1" ] || exit 3
[ -z "$2" ] || grep -qF -- "$2" "$1/owner.json" 2>/dev/null || exit 3
mv -T -- "$1" "$3" || exit 2
rm -rf -- "$3"`;

/**
 * `$1` lock dir, `$2` the holder's token. Touches owner.json if it is still this holder's: exit 0
 * alive, 3 gone or someone else's. A takeover between the check and the touch only refreshes the
 * new holder's heartbeat: harmless.
 */
export const HEARTBEAT = `grep -qF -- "$2" "$1/owner.json" 2>/dev/null || exit 3
touch -c -- "$1/owner.json"`;
