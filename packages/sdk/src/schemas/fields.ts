import { z } from 'zod';

// What the schema files build their fields with, shaped by what a zod construction costs: every
// schema is built once, the shared ones when the module loads and an object's fields when the object
// is first used (see `lazyShape`), some 700 constructions in all. So a field is built with as few
// constructions as it takes:
// - `z.int()` rather than `z.number().int()`, whose `.int()` builds a whole number-format schema;
// - one `.check(a, b)` rather than chained `.min(a).max(b)`: each chained call clones the schema;
// - `described(schema, text)` rather than `schema.describe(text)`, which clones it too;
// - a shared base such as `NonNegativeInt` described per field with `.describe()`: that one clone
//   costs less than building the field's schema afresh.

/**
 * `schema` with `description` registered on it: what `.describe(description)` gives, without the
 * clone `.describe()` makes. Only for a schema built for the one field it describes; a shared
 * schema (`Timestamp`, `AgentName`, `NonNegativeInt`) keeps `.describe()`, which leaves the shared
 * one as it was.
 */
export function described<T extends z.ZodType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

/** A whole number ≥ 0: a count, a feed position. Shared: describe it per field. */
export const NonNegativeInt = z.int().nonnegative();

/** A number ≥ 0: seconds, milliseconds. Shared: describe it per field. */
export const NonNegativeNumber = z.number().nonnegative();
