import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { Path } from './locate.ts';
import type { Finding } from './problem-list.ts';

// What YAML reads an unquoted key as, when it is not text.
function readAs(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return undefined;
}

function keyProblem(key: unknown): { segment: string; message: string } | undefined {
  if (!isScalar(key)) {
    const message = isAlias(key)
      ? 'a key must be a name, not an alias'
      : 'a key must be a name, not a mapping or a list';
    return { segment: '?', message };
  }
  const source = key.source ?? String(key.value);
  const as = readAs(key.value);
  if (as !== undefined) {
    return {
      segment: source,
      message:
        source === ''
          ? 'a key must not be empty'
          : `YAML reads the key ${source} as ${as}, not as a name: quote it ("${source}")`,
    };
  }
  // A plain object cannot hold it: JavaScript would take it as the object's prototype.
  if (key.value === '__proto__') return { segment: source, message: '"__proto__" cannot be used as a name' };
  return undefined;
}

/**
 * Reports every map key that is not text (`007:`, `true:`, `~:`: YAML reads them as a number, a
 * boolean, null) and every `__proto__` key, at the key: converted to plain objects, `007` would
 * silently become `7`, and `true:` the same name as `"true":`. Such a key is given its text as
 * written, in place.
 */
export function checkKeys(node: unknown, report: (finding: Finding, offset: number) => void, path: Path = []): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const problem = keyProblem(pair.key);
      const segment = problem?.segment ?? String((pair.key as { value?: unknown } | null)?.value);
      if (problem) {
        // Later checks then name the entry as written, and their findings at the key repeat nothing.
        if (isScalar(pair.key) && problem.segment !== '__proto__') pair.key.value = problem.segment;
        const offset = (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
        report({ path: [...path, segment], anchor: 'key', message: problem.message }, offset);
      }
      checkKeys(pair.value, report, [...path, segment]);
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) checkKeys(item, report, [...path, index]);
  }
}
