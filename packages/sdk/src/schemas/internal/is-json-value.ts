/** Nesting depth checked by recursion; deeper values continue on an explicit stack. */
const MAX_RECURSION = 32;

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

/** The explicit-stack walk, for values nested deeper than {@link MAX_RECURSION}. */
function isDeepJsonValue(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    const leaf = isJsonLeaf(item);
    if (leaf !== undefined) {
      if (!leaf) return false;
      continue;
    }
    if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
      continue;
    }
    if (!isPlainObject(item as object)) return false;
    for (const key in item as Record<string, unknown>) pending.push((item as Record<string, unknown>)[key]);
  }
  return true;
}

function check(value: unknown, depth: number): boolean {
  const leaf = isJsonLeaf(value);
  if (leaf !== undefined) return leaf;
  if (depth >= MAX_RECURSION) return isDeepJsonValue(value);
  if (Array.isArray(value)) {
    for (const element of value) if (!check(element, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value as object)) return false;
  for (const key in value as Record<string, unknown>) {
    if (!check((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Whether `value` is a JSON value: a string, a finite number, a boolean, null, or arrays and plain
 * objects of those. Recursive (no allocation: it runs for every fact of every page a client
 * validates) up to a depth, then iterative, so a deeply nested body cannot overflow the stack.
 */
export function isJsonValue(value: unknown): boolean {
  return check(value, 0);
}
