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
  // A number whose text comes back unchanged (`2024:`) names what it says; `007:` or `1e3:` would not.
  const unchanged = typeof key.value === 'number' && String(key.value) === source;
  if (as !== undefined && !unchanged) {
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
 * Reports every map key YAML reads as something other than the text written (`007:` and `1e3:`
 * as numbers that come back as `7` and `1000`, `true:` and `~:` as a boolean and null) and every
 * `__proto__` key, at the key: converted to plain objects, `007` would silently become `7`, and
 * `true:` the same name as `"true":`. A number that reads back as written (`2024:`) is a name as
 * before. Such a key is given its text as written, in place.
 */
export function checkKeys(node: unknown, report: (finding: Finding, offset: number) => void, path: Path = []): void {
  if (isMap(node)) {
    // `2024:` and `"2024":` are two keys to YAML (a number and a text) but one name. (The same key
    // twice, YAML reports itself.)
    const types = new Map<string, string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const value = (pair.key as { value?: unknown } | null)?.value;
      const named = String(value);
      const seen = types.get(named);
      const problem =
        keyProblem(pair.key) ??
        (seen !== undefined && seen !== typeof value
          ? { segment: named, message: `duplicate key "${named}": a key may appear only once in a mapping` }
          : undefined);
      const segment = problem?.segment ?? named;
      types.set(segment, typeof value);
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
