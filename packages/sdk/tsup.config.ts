import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

export default defineConfig({
  ...baseConfig,
  entry: { index: 'src/index.ts', 'server/index': 'src/server/index.ts', 'cli/index': 'src/cli/index.ts' },
});
