import { createTwoFilesPatch } from 'diff';

/** A unified diff from `before` (`undefined`: the file is new) to `after`, labelled with the host path. */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  return createTwoFilesPatch(
    before === undefined ? '/dev/null' : path,
    path,
    before ?? '',
    after,
    undefined,
    undefined,
    {
      context: 3,
    },
  );
}
