/**
 * Whether `value` is a JSON value: a string, a finite number, a boolean, null, or arrays and plain
 * objects of those. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function isJsonValue(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
      continue;
    }
    if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
      continue;
    }
    if (typeof item !== 'object') return false;
    const prototype = Object.getPrototypeOf(item);
    if (prototype !== Object.prototype && prototype !== null) return false;
    for (const key in item) pending.push((item as Record<string, unknown>)[key]);
  }
  return true;
}
