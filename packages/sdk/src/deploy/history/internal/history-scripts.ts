/**
 * Under the history directory's flock. `$1` history file, `$2` how many lines to keep; stdin is
 * one whole line. Ends a torn last line (a writer cut short) first, so the new line stays whole;
 * appends; then keeps only the last `$2` lines (a temp file, synced to disk, renamed over the
 * history: a power loss leaves the old history or the trimmed one, never an empty file).
 */
export const APPEND = `f=$1; keep=$2
umask 027
if [ -s "$f" ] && [ -n "$(tail -c 1 -- "$f")" ]; then printf '\\n' >> "$f" || exit 2; fi
cat >> "$f" || exit 2
n=$(wc -l < "$f") || exit 2
if [ "$n" -gt "$keep" ]; then
  t="$f.fleet-$$.tmp"
  if tail -n "$keep" -- "$f" > "$t" && sync -- "$t"; then mv -f -- "$t" "$f" || exit 2; else rm -f -- "$t"; exit 2; fi
fi
exit 0`;
