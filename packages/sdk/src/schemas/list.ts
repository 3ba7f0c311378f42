import { z } from 'zod';
import { Cursor } from './common.ts';
import { described, NonNegativeInt } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';

/** The fields every list shares, built with the first list used. */
const envelope = lazyShape(() => ({
  count: NonNegativeInt.describe('How many items this answer holds'),
  nextCursor: described(Cursor.nullable(), 'Pass it back as `?cursor=` for the next page; null on the last page'),
}));

/** The list's array, with what it holds and in which order when `description` is given. */
function items<T extends z.ZodType>(item: T, description: string | undefined): z.ZodArray<T> {
  const array = z.array(item);
  return description === undefined ? array : described(array, description);
}

/**
 * The fields of the list envelope every Fleet list uses, `{"<key>": [...], "count": N}`: for a list
 * answer with more fields, `z.object(lazyShape(() => ({ ...listFields(key, item), more })))`.
 */
export function listFields<const K extends string, T extends z.ZodType>(key: K, item: T, description?: string) {
  return { [key]: items(item, description), count: envelope.count } as ListFields<K, T>;
}

/** What {@link listFields} returns. */
type ListFields<K extends string, T extends z.ZodType> = { [P in K]: z.ZodArray<T> } & { count: z.ZodNumber };

/**
 * Builds the list envelope every Fleet list uses: `{"<key>": [...], "count": N}`,
 * plus `nextCursor` (null on the last page) when the list is paginated.
 *
 * @param description What the list holds and in which order, e.g. `'Subscriptions, by topic then agent'`.
 */
export function listOf<const K extends string, T extends z.ZodType>(key: K, item: T, description?: string) {
  return z.object(lazyShape(() => listFields(key, item, description)));
}

/** Like {@link listOf}, with a `nextCursor` that is null on the last page. */
export function pageOf<const K extends string, T extends z.ZodType>(key: K, item: T, description?: string) {
  return z.object(lazyShape(() => ({ ...listFields(key, item, description), nextCursor: envelope.nextCursor })));
}

/** A page of items as the stores return it, before it is put on the wire. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
