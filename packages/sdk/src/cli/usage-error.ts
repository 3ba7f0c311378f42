/** A bad command line: reported in one line and exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
}
