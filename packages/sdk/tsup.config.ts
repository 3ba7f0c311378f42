import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';
import { entryPoints, implementationName } from './entry-points.ts';
import { writePeerGuards } from './scripts/write-peer-guards.ts';

export default defineConfig({
  ...baseConfig,
  entry: {
    ...Object.fromEntries(entryPoints.map((entry) => [implementationName(entry), entry.source])),
    // Loaded by path (new URL('./page-puller-worker.js', import.meta.url)) from the chunk next to it:
    // every entry and chunk sits at the top of dist/.
    'page-puller-worker': 'src/knowledge/sync/page-puller-worker.ts',
  },
  onSuccess: () => writePeerGuards(fileURLToPath(new URL('.', import.meta.url))),
});
