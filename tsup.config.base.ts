import type { Options } from 'tsup';

/** The one build configuration every Fleet package spreads into its own `tsup.config.ts`. */
export const baseConfig: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  outDir: 'dist',
};
