import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every module statically reachable from `entry`: relative files and bare package names. */
function importGraph(entry: string) {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) visit(join(dirname(file), specifier!));
      else packages.add(specifier!);
    }
  };
  visit(entry);
  return { files: [...files].map((file) => relative(src, file)), packages: [...packages] };
}

test('the client entry never reaches the server plumbing, h3 or prom-client', () => {
  const { files, packages } = importGraph(join(src, 'index.ts'));
  expect(files.length).toBeGreaterThan(1);
  expect(files.filter((file) => file.startsWith('server'))).toEqual([]);
  expect(packages.filter((name) => name === 'h3' || name.startsWith('h3/') || name === 'prom-client')).toEqual([]);
});

test('the server entry does load h3 (the check above would notice)', () => {
  expect(importGraph(join(src, 'server/index.ts')).packages).toContain('h3');
});
