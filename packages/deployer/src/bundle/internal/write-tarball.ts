import { create } from 'tar';
import type { TracedEntry } from './trace-files.ts';

/** Every entry's modification time in the bundle: fixed, so that the same files give the same bytes. */
export const BUNDLE_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * The name node-tar's file list takes for `path`: node-tar reads an entry starting with `@` as "add
 * the entries of this archive", so such a path (`@scope/pkg/...`) goes in as `./@scope/pkg/...`,
 * the way its documentation says to add a file whose name starts with `@`.
 */
function fileListName(path: string): string {
  return path.startsWith('@') ? `./${path}` : path;
}

/**
 * Writes `entries` (relative to `root`) to the gzipped tarball `file`, deterministically: entries in
 * the given order, one fixed mtime, no owner, device or inode fields, modes normalized (`portable`),
 * a portable gzip header, and each symlink stored with its relative target.
 */
export async function writeTarball(file: string, root: string, entries: readonly TracedEntry[]): Promise<void> {
  const targets = new Map(
    entries.flatMap((entry) => (entry.type === 'symlink' ? [[fileListName(entry.path), entry.target] as const] : [])),
  );
  await create(
    {
      file,
      cwd: root,
      gzip: { level: 9 },
      portable: true,
      mtime: BUNDLE_MTIME,
      noDirRecurse: true,
      strict: true,
      onWriteEntry(entry) {
        const target = targets.get(entry.path);
        if (target !== undefined) entry.linkpath = target;
      },
    },
    entries.map((entry) => fileListName(entry.path)),
  );
}
