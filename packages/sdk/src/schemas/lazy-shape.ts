import type { z } from 'zod';

/**
 * An object schema's shape whose fields are built when the schema is first used (parsed,
 * converted to JSON Schema, its `.shape` read) rather than when the module loads:
 * `z.object(lazyShape(() => ({ ... })))`. The schema, its fields and what they accept are the
 * same; only when the fields are built changes. Fields several shapes share can be one lazy shape
 * too, spread (`...queueCounts`) or read (`envelope.count`) in the others' `build`.
 *
 * Import cost: the root entry declares some 80 object schemas, and building their fields (500 of
 * the 700 zod constructions its schemas take) was most of what importing `@fleet/sdk` cost beyond
 * zod and ky, while a client uses a few routes. zod copies a shape on its first read (that is how
 * it resolves getter fields, which are lazy too), so `build` runs once and every later read sees
 * the same field schemas.
 */
export function lazyShape<T extends z.core.$ZodShape>(build: () => T): T {
  let shape: T | undefined;
  const built = () => (shape ??= build());
  // A read-only view: every read answers from the built shape, as the object `build` returns would.
  return new Proxy({} as T, {
    ownKeys: () => Reflect.ownKeys(built()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(built(), key),
    get: (_, key) => Reflect.get(built(), key),
    has: (_, key) => Reflect.has(built(), key),
  });
}
