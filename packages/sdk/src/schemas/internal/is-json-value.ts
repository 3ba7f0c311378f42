/** Nesting depth checked by recursion; deeper values continue on an explicit stack. */
const MAX_RECURSION = 32;

/** Why a value is not an accepted JSON value. */
export type JsonValueProblem = 'not_json' | 'too_deep';

function isJsonLeaf(item: unknown): boolean | undefined {
  if (item === null || typeof item === 'string' || typeof item === 'boolean') return true;
  if (typeof item === 'number') return Number.isFinite(item);
  if (typeof item !== 'object') return false;
  return undefined;
}

function isPlainObject(item: object): boolean {
  const prototype = Object.getPrototypeOf(item);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The explicit-stack walk, for values nested deeper than {@link MAX_RECURSION}: `depth` is how many
 * arrays and objects enclose `value`. Finds the first problem in walk order.
 */
function deepProblem(value: unknown, depth: number, maxDepth: number): JsonValueProblem | undefined {
  const pending: unknown[] = [value];
  const depths: number[] = [depth];
  while (pending.length > 0) {
    const item = pending.pop();
    const enclosing = depths.pop()!;
    const leaf = isJsonLeaf(item);
    if (leaf !== undefined) {
      if (!leaf) return 'not_json';
      continue;
    }
    if (enclosing >= maxDepth) return 'too_deep';
    if (Array.isArray(item)) {
      for (const element of item) {
        pending.push(element);
        depths.push(enclosing + 1);
      }
      continue;
    }
    if (!isPlainObject(item as object)) return 'not_json';
    for (const key in item as Record<string, unknown>) {
      pending.push((item as Record<string, unknown>)[key]);
      depths.push(enclosing + 1);
    }
  }
  return undefined;
}

function check(value: unknown, depth: number, maxDepth: number): boolean {
  const leaf = isJsonLeaf(value);
  if (leaf !== undefined) return leaf;
  if (depth >= maxDepth) return false;
  if (depth >= MAX_RECURSION) return deepProblem(value, depth, maxDepth) === undefined;
  if (Array.isArray(value)) {
    for (const element of value) if (!check(element, depth + 1, maxDepth)) return false;
    return true;
  }
  if (!isPlainObject(value as object)) return false;
  for (const key in value as Record<string, unknown>) {
    if (!check((value as Record<string, unknown>)[key], depth + 1, maxDepth)) return false;
  }
  return true;
}

/**
 * Whether `value` is a JSON value: a string, a finite number, a boolean, null, or arrays and plain
 * objects of those, nested at most `maxDepth` arrays and objects deep (`[]` is 1, `[[]]` 2).
 * Recursive (no allocation: it runs for every fact of every page a client validates) up to a
 * depth, then iterative, so a deeply nested body cannot overflow the stack.
 */
export function isJsonValue(value: unknown, maxDepth: number): boolean {
  return check(value, 0, maxDepth);
}

/** Why `value` is not a JSON value within `maxDepth` (see {@link isJsonValue}); undefined when it is one. */
export function jsonValueProblem(value: unknown, maxDepth: number): JsonValueProblem | undefined {
  return deepProblem(value, 0, maxDepth);
}
