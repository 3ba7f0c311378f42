import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

export default defineConfig({
  ...baseConfig,
  entry: {
    index: 'src/index.ts',
    'server/index': 'src/server/index.ts',
    'cli/index': 'src/cli/index.ts',
    // Loaded by path (new URL('./page-puller-worker.js', import.meta.url)) from the bundle next to it.
    'page-puller-worker': 'src/knowledge/sync/page-puller-worker.ts',
  },
});
