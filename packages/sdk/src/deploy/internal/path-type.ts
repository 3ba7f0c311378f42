import type { PathType } from '../executor.ts';

/** The {@link PathType} of `st_mode` bits (`lstat`'s `mode`, or `stat -c %f` parsed as hex). */
export function pathTypeOf(mode: number): PathType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}
