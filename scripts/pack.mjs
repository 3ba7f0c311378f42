// `npm run pack`: packs every published workspace package (the built dist, bin and LICENSE, as
// `npm publish` would) into one folder, and prints the command that installs them. Until a version
// is on the registry, this is how Fleet is installed outside this repository.
//
//   npm run build && npm run pack              # into ./packs
//   npm run pack -- --out /tmp/fleet-packs     # into another folder
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outAt = process.argv.indexOf('--out');
const out = resolve(outAt === -1 ? join(root, 'packs') : process.argv[outAt + 1]);

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const published = readJson(join(root, 'package.json'))
  .workspaces.map((dir) => ({ dir, manifest: readJson(join(root, dir, 'package.json')) }))
  .filter(({ manifest }) => !manifest.private);

const unbuilt = published.filter(({ dir }) => !existsSync(join(root, dir, 'dist')));
if (unbuilt.length > 0) {
  console.error(`not built: ${unbuilt.map(({ manifest }) => manifest.name).join(', ')}; run npm run build first`);
  process.exit(1);
}

mkdirSync(out, { recursive: true });
// Tarballs of older versions would be installed alongside the new ones by the printed command.
for (const file of readdirSync(out)) if (file.endsWith('.tgz')) rmSync(join(out, file));
const workspaces = published.flatMap(({ manifest }) => ['-w', manifest.name]);
execFileSync('npm', ['pack', '--loglevel', 'warn', '--pack-destination', out, ...workspaces], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const tarballs = readdirSync(out)
  .filter((file) => file.endsWith('.tgz'))
  .map((file) => join(out, file));
const shown = (path) => (out.startsWith(root) ? `./${relative(root, path)}` : path);
console.log(`Packed ${tarballs.length} packages into ${out}:`);
for (const tarball of tarballs) console.log(`  ${shown(tarball)}`);
console.log(`
Install them into a project (a client needs only the @fleet/sdk tarball; a server its own and the SDK's):

  npm install ${tarballs.join(' ')}`);
