import { z } from 'zod';
import { Cursor } from './common.ts';

/**
 * Builds the list envelope every Fleet list uses: `{"<key>": [...], "count": N}`,
 * plus `nextCursor` (null on the last page) when the list is paginated.
 */
export function listOf<const K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), count: z.number().int().nonnegative() } as {
    [P in K]: z.ZodArray<T>;
  } & { count: z.ZodNumber });
}

/** Like {@link listOf}, with a `nextCursor` that is null on the last page. */
export function pageOf<const K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({
    [key]: z.array(item),
    count: z.number().int().nonnegative(),
    nextCursor: Cursor.nullable(),
  } as { [P in K]: z.ZodArray<T> } & { count: z.ZodNumber; nextCursor: z.ZodNullable<typeof Cursor> });
}

/** A page of items as the stores return it, before it is put on the wire. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
