// `npm run build` (and the build step of `npm start` and `npm test`): builds every workspace package
// that has a build script, dependencies first, skipping a package whose build is up to date.
//
// Up to date means the stamp its last successful build left in node_modules/.cache/fleet-build/
// still matches: the content hash of its inputs (its own files but dist/, test/ and docs; the root
// build config, tsconfig.json and package-lock.json; the built outputs of the workspace packages it
// depends on) and the hash of its dist/ as that build left it, so a dist/ removed, cleaned by a
// failed build or rebuilt by hand is never taken for a good one. A clean clone has no stamps and
// no dist/: everything builds. The stamps stay out of dist/, which is what gets published.
//
//   node scripts/build.mjs                    # what changed, in dependency order, two at a time
//   node scripts/build.mjs --force            # everything
//   node scripts/build.mjs @fleet/sdk         # these packages (and what they depend on)
//   node scripts/build.mjs --jobs 1 --verbose # one build at a time, with tsup's output
//   node scripts/build.mjs --dry-run          # only say what would be built
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMPS = join(root, 'node_modules', '.cache', 'fleet-build');
/** Root files every package's build reads. */
const SHARED_INPUTS = ['tsup.config.base.ts', 'tsconfig.json', 'package-lock.json'];
/** Folders at the top of a package that are not build inputs. */
const SKIPPED_DIRS = new Set(['dist', 'node_modules', 'test', 'coverage']);
const isSkippedFile = (name) => name.endsWith('.md') || name === 'LICENSE';

const args = process.argv.slice(2);
const force = args.includes('--force');
const verbose = args.includes('--verbose');
const dryRun = args.includes('--dry-run');
const jobsAt = args.indexOf('--jobs');
const jobs = jobsAt === -1 ? Math.min(2, availableParallelism()) : Number(args[jobsAt + 1]);
const wanted = args.filter((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--jobs');
const unknown = args.find(
  (arg) => arg.startsWith('--') && !['--force', '--verbose', '--dry-run', '--jobs'].includes(arg),
);
if (unknown) fail(`unknown option ${unknown}; options: --force, --dry-run, --verbose, --jobs N, and package names`);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs must be a whole number of at least 1, got ${args[jobsAt + 1]}`);

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const packages = new Map(
  readJson(join(root, 'package.json')).workspaces.map((dir) => {
    const manifest = readJson(join(root, dir, 'package.json'));
    return [manifest.name, { name: manifest.name, dir: join(root, dir), manifest }];
  }),
);
for (const pkg of packages.values()) {
  const { dependencies = {}, devDependencies = {}, peerDependencies = {} } = pkg.manifest;
  pkg.deps = Object.keys({ ...dependencies, ...devDependencies, ...peerDependencies }).filter(
    (name) => packages.has(name) && name !== pkg.name,
  );
}
for (const name of wanted) if (!packages.has(name)) fail(`no workspace package named ${name}`);

/** The packages to build: the wanted ones (default all) and what they depend on, that have a build script. */
function selection() {
  const chosen = new Set();
  const add = (name) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const dep of packages.get(name).deps) add(dep);
  };
  for (const name of wanted.length > 0 ? wanted : packages.keys()) add(name);
  return [...chosen].map((name) => packages.get(name)).filter((pkg) => pkg.manifest.scripts?.build);
}

/** Every file under `dir` (relative paths, sorted), but `skipFile` ones. */
function filesOf(dir, skipFile) {
  const files = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!skipFile(entry.name)) files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}

/**
 * A package's build inputs (relative paths, sorted): the files git tracks or would track under it
 * (so databases, WAL files and other ignored files never count), but its top-level dist/, test/ and
 * the like, and its docs. Outside a git checkout, every file but those.
 */
function inputsOf(pkg) {
  let listed;
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], {
      cwd: pkg.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(pkg.dir, file)));
  } catch {
    listed = filesOf(pkg.dir, () => false);
  }
  return listed.filter((file) => !SKIPPED_DIRS.has(file.split('/')[0]) && !isSkippedFile(file.split('/').pop())).sort();
}

/** A hash of file names and contents. */
function hashFiles(dir, files) {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(dir, file)))
      .update('\0');
  return hash.digest('hex');
}

/** The hash of a package's dist/ as its build left it (source maps aside: nothing reads them to build). */
function outputHash(pkg) {
  const dist = join(pkg.dir, 'dist');
  if (!existsSync(dist)) return null;
  return hashFiles(
    dist,
    filesOf(dist, (name) => name.endsWith('.map')),
  );
}

const stampPath = (pkg) => join(STAMPS, `${pkg.name.replace('/', '+')}.json`);

function readStamp(pkg) {
  try {
    return readJson(stampPath(pkg));
  } catch {
    return null;
  }
}

/** The hash of everything a package's build reads: its files, the shared config, its dependencies' outputs. */
function inputHash(pkg, outputs) {
  const hash = createHash('sha256');
  hash.update(hashFiles(pkg.dir, inputsOf(pkg)));
  hash.update(
    hashFiles(
      root,
      SHARED_INPUTS.filter((file) => existsSync(join(root, file))),
    ),
  );
  for (const dep of [...pkg.deps].sort()) hash.update(`${dep}\0${outputs.get(dep) ?? 'not built'}\0`);
  return hash.digest('hex');
}

/** Runs the package's build script; resolves with its output, rejects with it on failure. */
function runBuild(pkg) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '--silent'], {
      cwd: pkg.dir,
      stdio: ['ignore', verbose ? 'inherit' : 'pipe', verbose ? 'inherit' : 'pipe'],
    });
    let log = '';
    child.stdout?.on('data', (chunk) => {
      log += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(log) : reject(Object.assign(new Error(`exit ${code}`), { log })),
    );
  });
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(2);
}

const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const todo = selection();
/** Output hash of each package done, for its dependents' inputs. */
const outputs = new Map();
const failed = new Set();
const done = new Set();
const waiting = new Set(todo);
let built = 0;
let running = 0;

/** True when every dependency of `pkg` is done, or is not built at all. */
function ready(pkg) {
  return pkg.deps.every((dep) => done.has(dep) || !todo.includes(packages.get(dep)));
}

await new Promise((finish) => {
  const next = () => {
    while (running < jobs) {
      const pkg = [...waiting].find(ready);
      if (!pkg) break;
      waiting.delete(pkg);
      if (pkg.deps.some((dep) => failed.has(dep))) {
        console.error(`build: ${pkg.name} not built: a package it depends on failed`);
        failed.add(pkg.name);
        done.add(pkg.name);
        continue;
      }
      // Hashed before building: a source edited during the build makes the next run build again.
      const inputs = inputHash(pkg, outputs);
      const stamp = force ? null : readStamp(pkg);
      if (stamp?.inputs === inputs && stamp.outputs === outputHash(pkg)) {
        outputs.set(pkg.name, stamp.outputs);
        done.add(pkg.name);
        continue;
      }
      if (dryRun) {
        console.error(`build: ${pkg.name} would be built`);
        built++;
        done.add(pkg.name);
        continue;
      }
      running++;
      const since = performance.now();
      runBuild(pkg)
        .then(
          () => {
            const result = outputHash(pkg);
            mkdirSync(STAMPS, { recursive: true });
            writeFileSync(stampPath(pkg), `${JSON.stringify({ inputs, outputs: result }, null, 2)}\n`);
            outputs.set(pkg.name, result);
            built++;
            console.error(`build: ${pkg.name} built in ${seconds(since)}`);
          },
          (error) => {
            failed.add(pkg.name);
            if (error.log) process.stderr.write(error.log);
            console.error(`build: ${pkg.name} failed (${error.message})`);
          },
        )
        .finally(() => {
          running--;
          done.add(pkg.name);
          next();
        });
    }
    if (waiting.size === 0 && running === 0) finish();
  };
  next();
});

if (failed.size > 0) process.exit(1);
const fresh = todo.length - built;
const hint = fresh > 0 && !force ? '; --force builds everything' : '';
console.error(`build: ${built} ${dryRun ? 'to build' : 'built'}, ${fresh} up to date (${seconds(started)})${hint}`);
