import { DeployError } from '../errors.ts';

const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Where a bundle step extracts a release before renaming it into place: half a release at most.
const PARTIAL = /\.partial$/;

/**
 * A new release's id: the UTC time to the second, then the first 7 characters of the commit, so
 * that ids sort by age as strings.
 *
 * @param now When the release is made. @default new Date()
 * @param commit The commit it is built from; characters other than letters and digits are dropped.
 * @example releaseId(new Date('2026-12-05T14:30:01Z'), 'abc1234def') // '20261205T143001Z-abc1234'
 */
export function releaseId(now: Date = new Date(), commit?: string): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  const short = commit?.replace(/[^A-Za-z0-9]/g, '').slice(0, 7) ?? '';
  return short === '' ? stamp : `${stamp}-${short}`;
}

/**
 * True for a name that can be a release: letters, digits, `.`, `_` and `-`, not starting with a
 * dot (hidden names under `releases/` are being removed) nor ending in `.partial` (a release being
 * extracted, or left half-extracted by a killed run), at most 128 characters.
 */
export function isReleaseId(id: string): boolean {
  return RELEASE_ID.test(id) && !PARTIAL.test(id);
}

/**
 * The directory of release `id` under `base`: `<base>/releases/<id>`, where a plan writes the
 * release's code and config before activating it.
 *
 * @throws {DeployError} `invalid_path` for an id {@link isReleaseId} refuses.
 * @example fileStep({ path: `${releasePath('/opt/fleet/bus', id)}/bus.env`, content })
 */
export function releasePath(base: string, id: string): string {
  assertReleaseId(id);
  return `${base.replace(/\/+$/, '')}/releases/${id}`;
}

/** Throws `invalid_path` for an id that cannot be a release's name. */
export function assertReleaseId(id: string): void {
  if (!isReleaseId(id)) {
    throw new DeployError(
      'invalid_path',
      `"${id}" is no release id: use letters, digits, ".", "_" and "-", and do not end it in ".partial"`,
    );
  }
}
