import { z } from 'zod';
import { Cursor } from './common.ts';

const COUNT = z.number().int().nonnegative().describe('How many items this answer holds');
const NEXT_CURSOR = Cursor.nullable().describe('Pass it back as `?cursor=` for the next page; null on the last page');

/** The list's array, with what it holds and in which order when `description` is given. */
function items<T extends z.ZodType>(item: T, description: string | undefined): z.ZodArray<T> {
  const array = z.array(item);
  return description === undefined ? array : array.describe(description);
}

/**
 * Builds the list envelope every Fleet list uses: `{"<key>": [...], "count": N}`,
 * plus `nextCursor` (null on the last page) when the list is paginated.
 *
 * @param description What the list holds and in which order, e.g. `'Subscriptions, by topic then agent'`.
 */
export function listOf<const K extends string, T extends z.ZodType>(key: K, item: T, description?: string) {
  return z.object({ [key]: items(item, description), count: COUNT } as {
    [P in K]: z.ZodArray<T>;
  } & { count: z.ZodNumber });
}

/** Like {@link listOf}, with a `nextCursor` that is null on the last page. */
export function pageOf<const K extends string, T extends z.ZodType>(key: K, item: T, description?: string) {
  return z.object({
    [key]: items(item, description),
    count: COUNT,
    nextCursor: NEXT_CURSOR,
  } as { [P in K]: z.ZodArray<T> } & { count: z.ZodNumber; nextCursor: z.ZodNullable<typeof Cursor> });
}

/** A page of items as the stores return it, before it is put on the wire. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
