import { z } from 'zod';
import { Cursor } from './common.ts';

const COUNT = z.number().int().nonnegative().describe('How many items this answer holds');
const NEXT_CURSOR = Cursor.nullable().describe('Pass it back as `?cursor=` for the next page; null on the last page');

/**
 * Builds the list envelope every Fleet list uses: `{"<key>": [...], "count": N}`,
 * plus `nextCursor` (null on the last page) when the list is paginated.
 */
export function listOf<const K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({ [key]: z.array(item), count: COUNT } as {
    [P in K]: z.ZodArray<T>;
  } & { count: z.ZodNumber });
}

/** Like {@link listOf}, with a `nextCursor` that is null on the last page. */
export function pageOf<const K extends string, T extends z.ZodType>(key: K, item: T) {
  return z.object({
    [key]: z.array(item),
    count: COUNT,
    nextCursor: NEXT_CURSOR,
  } as { [P in K]: z.ZodArray<T> } & { count: z.ZodNumber; nextCursor: z.ZodNullable<typeof Cursor> });
}

/** A page of items as the stores return it, before it is put on the wire. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
