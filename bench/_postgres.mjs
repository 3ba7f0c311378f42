// Shared by the PostgreSQL benchmarks: the throwaway cluster of `@fleet/test-utils/postgres` (bundled
// with esbuild, since Node 20 runs no .ts and the test utilities are never built), bus replicas on
// it, and a keep-alive JSON client with latency samples.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canPinCores, startServer } from './_lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const busBin = join(here, '../packages/bus-server/bin/fleet-bus.js');

/** Exits with a hint when the bus-server or SDK build is missing. */
export function requireBuild() {
  for (const file of ['../packages/bus-server/dist/cli.js', '../packages/sdk/dist/stores.js']) {
    if (!existsSync(join(here, file))) {
      console.error(`${join(here, file)} is missing: build first (npm run build)`);
      process.exit(1);
    }
  }
}

/**
 * `startPostgres` and `hasPostgres` of `@fleet/test-utils/postgres`, bundled into a temp directory.
 * Exits with the harness's own message when PostgreSQL is not installed.
 */
export async function loadPostgresHarness() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-pg-harness-'));
  const outfile = join(dir, 'postgres.mjs');
  try {
    await build({
      entryPoints: [join(here, '../packages/test-utils/src/postgres.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'error',
    });
    const harness = await import(pathToFileURL(outfile).href);
    if (!harness.hasPostgres()) process.exit(1);
    return harness;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts two `fleet-bus` replicas on the database `url`, pinned to cores 0 and 1 when taskset can.
 * Resolves with their handles (`url`, `stop()`).
 */
export async function startReplicas(url, count = 2) {
  const pin = canPinCores();
  const replicas = [];
  for (let i = 0; i < count; i++) {
    replicas.push(await startServer([busBin, 'server', '--port', '0', '--db', url], pin ? { core: i % 2 } : {}));
  }
  return replicas;
}

/** A keep-alive HTTP agent for the load of one replica. */
export function keepAliveAgent(sockets) {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** POSTs `body` as JSON to `url` through `agent`; resolves with `{ status, body }` (parsed JSON). */
export function postJson(agent, url, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Sizes of the tables of a schema, with their indexes and TOAST (pg_total_relation_size), largest first. */
export async function tableSizes(pg, database, schema = 'public') {
  const out = await pg.psql(
    `SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), pg_indexes_size(c.oid),
            (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = '${schema}' AND c.relkind IN ('r', 'p')
      ORDER BY pg_total_relation_size(c.oid) DESC`,
    database,
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [table, total, heap, indexes, indexCount] = line.split('|');
      return {
        table,
        totalBytes: Number(total),
        heapBytes: Number(heap),
        indexBytes: Number(indexes),
        indexes: Number(indexCount),
      };
    });
}

/** `bytes` as a short human figure (kB, MB, GB). */
export function humanBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}
