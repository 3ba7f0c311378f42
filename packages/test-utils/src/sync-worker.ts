import { fileURLToPath } from 'node:url';

/**
 * The path of `sync-worker.mjs`, a knowledge node that runs a SyncEngine from the BUILT @fleet/sdk
 * (the root `npm test` builds first). Spawn it with `node <path> <config JSON>`.
 */
export const SYNC_WORKER = fileURLToPath(new URL('./sync-worker.mjs', import.meta.url));
