// The layering ARCHITECTURE.md describes, checked by `npm run lint:deps` (part of `npm run lint`).
const SDK = '^packages/sdk/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and hide what depends on what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'schemas-import-only-zod',
      severity: 'error',
      comment: 'The contracts are the bottom layer: schemas import zod and other schemas, nothing else.',
      from: { path: `${SDK}schemas/` },
      to: { pathNot: [`${SDK}schemas/`, '(^|/)node_modules/zod/'] },
    },
    {
      name: 'contracts-import-only-schemas',
      severity: 'error',
      comment: 'Route contracts are schemas with a method and a path.',
      from: { path: `${SDK}contract/` },
      to: { pathNot: [`${SDK}(contract|schemas)/`, '(^|/)node_modules/zod/'] },
    },
    {
      name: 'sdk-never-imports-a-fleet-package',
      severity: 'error',
      comment: 'The SDK is what the server packages and the CLI are built on, never the other way round.',
      from: { path: '^packages/sdk/src/' },
      to: { path: ['^packages/[^/]+/', '^node_modules/@fleet/'], pathNot: '^packages/sdk/' },
    },
    {
      name: 'no-reaching-into-another-areas-internal',
      severity: 'error',
      comment: "An area's internal/ folder is its own: other areas use what the area exports from its files.",
      from: { path: `${SDK}([^/]+)/` },
      to: { path: [`${SDK}[^/]+/internal/`, `${SDK}[^/]+/[^/]+/internal/`], pathNot: `${SDK}$1/` },
    },
    {
      name: 'no-reaching-into-internal-from-the-top',
      severity: 'error',
      comment: "The SDK's top-level files belong to no area: they use what areas export, not their internal/.",
      from: { path: `${SDK}[^/]+\\.ts$` },
      to: { path: [`${SDK}[^/]+/internal/`, `${SDK}[^/]+/[^/]+/internal/`] },
    },
    {
      name: 'packages-use-the-sdk-through-its-exports',
      severity: 'error',
      comment: "Other packages import @fleet/sdk's entries, never its files.",
      from: { path: ['^packages/[^/]+/', '^(test|bench|examples|scripts)/'], pathNot: '^packages/sdk/' },
      to: {
        path: '^packages/sdk/src/',
        pathNot: ['^packages/sdk/src/index\\.ts$', '^packages/sdk/src/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves to a file or an installed package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@fleet/source', 'import', 'types', 'default'],
      extensions: ['.ts', '.mjs', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
