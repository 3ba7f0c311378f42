import { fileURLToPath } from 'node:url';
import assembleReleasePlan from '@changesets/assemble-release-plan';
import { read } from '@changesets/config';
import { getPackages } from '@manypkg/get-packages';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The versions `changeset version` would give every package for one changeset, computed by
 * changesets itself from this repository's package.json files and .changeset/config.json.
 */
async function releasesFor(name: string, type: 'patch' | 'minor'): Promise<Record<string, string>> {
  const packages = await getPackages(root);
  const config = await read(root, packages);
  const changeset = { id: 'one-change', summary: `a ${type} change of ${name}`, releases: [{ name, type }] };
  const plan = assembleReleasePlan([changeset], packages, config, undefined);
  return Object.fromEntries(plan.releases.filter((release) => release.type !== 'none').map((r) => [r.name, r.type]));
}

describe('the release plan changesets makes from this repository', () => {
  // @fleet/cli has @fleet/deployer as an optional peer: a deployer release that stays inside the
  // peer range must not drag the CLI along, least of all as a major release nobody asked for.
  test.each(['patch', 'minor'] as const)('a %s release of @fleet/deployer releases no other package', async (type) => {
    expect(await releasesFor('@fleet/deployer', type)).toEqual({ '@fleet/deployer': type });
  });

  test('a minor release of @fleet/sdk never makes a major release of a package that depends on it', async () => {
    const releases = await releasesFor('@fleet/sdk', 'minor');
    expect(releases['@fleet/sdk']).toBe('minor');
    expect(Object.entries(releases).filter(([, type]) => type === 'major')).toEqual([]);
  });
});
