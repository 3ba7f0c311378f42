import { z } from 'zod';
import { Cursor, intFromQuery, JsonValue, Timestamp } from './common.ts';
import {
  factKeyProblem,
  MAX_FACT_KEY_LENGTH,
  MAX_TAG_LENGTH,
  storedFactKeyProblem,
  TAG_PATTERN,
  TAG_RULE,
} from './fact-rules.ts';
import { described } from './fields.ts';
import { FULL_TEXT_RULES, fullTextQueryProblem, MAX_FULL_TEXT_MATCHES } from './full-text-rules.ts';
import { lazyShape } from './lazy-shape.ts';
import { listOf, pageOf } from './list.ts';
import { utf8Length } from './utf8-length.ts';

/** Most facts one batch put may carry. */
export const MAX_FACT_BATCH = 1000;
/** Largest fact value, in bytes of its JSON text as UTF-8 (`中` is 3 bytes, not 1). */
export const MAX_FACT_VALUE_BYTES = 256 * 1024;
/** Longest time-to-live a fact may ask for: 10 years. */
export const MAX_FACT_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** A key schema held to `problemOf` (one of the two key rules of `fact-rules.ts`). */
function keySchema(problemOf: (key: string) => string | undefined) {
  return described(
    z.string().check(
      z.minLength(1),
      z.maxLength(MAX_FACT_KEY_LENGTH),
      z.superRefine((key, context) => {
        const problem = problemOf(key);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }),
    ),
    'Path-like fact key, e.g. hosts/ezra/ollama/models',
  );
}

/**
 * A fact key: a path-like string such as `hosts/ezra/ollama/models`. At most 512 characters,
 * no control characters, no empty, `.` or `..` segments, no leading or trailing `/`; well-formed
 * Unicode (no lone surrogate, which a store could not keep as it is).
 */
export const FactKey = keySchema(factKeyProblem);
export type FactKey = z.infer<typeof FactKey>;

/**
 * The key of a stored fact, in what is read, deleted or replicated: {@link FactKey}, except that it
 * may hold C1 control characters (U+0080–U+009F), which writes accepted before they were refused.
 * So such a fact stays readable, deletable and in sync; a put of one is refused.
 */
export const StoredFactKey = keySchema(storedFactKeyProblem);

/** A tag: letters, digits, `.`, `_`, `:`, `/`, `-`; at most 64 characters. */
export const Tag = z.string().check(z.minLength(1), z.maxLength(MAX_TAG_LENGTH), z.regex(TAG_PATTERN, TAG_RULE));

/** The stable id of a knowledge node. */
export const NodeId = described(
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64),
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'must start with a letter or digit and contain only letters, digits, . _ -',
      ),
    ),
  'Knowledge node id',
);
export type NodeId = z.infer<typeof NodeId>;

/**
 * A hybrid logical clock timestamp (Kulkarni et al., 2014) as text: 15 digits of physical
 * milliseconds, `-`, 5 digits of logical counter. Text order is clock order.
 */
export const Hlc = described(
  z.string().regex(/^\d{15}-\d{5}$/, 'must be a hybrid logical clock timestamp like 001764067200123-00000'),
  'Hybrid logical clock timestamp',
);
export type Hlc = z.infer<typeof Hlc>;

/** A fact as stored and returned. Conflicts resolve last-writer-wins on (`version`, `source`). */
export const Fact = z.object(
  lazyShape(() => ({
    key: StoredFactKey,
    value: JsonValue.describe('The value: any JSON'),
    tags: described(z.array(Tag), 'Its tags, sorted, without duplicates'),
    source: NodeId.describe('The node that wrote this version'),
    version: Hlc.describe(
      'Hybrid logical clock version of the write, e.g. 001738324800000-00000; of two writes to a key, the greater (version, source) wins',
    ),
    updatedAt: Timestamp.describe('When it was written: the physical time of `version`'),
    expiresAt: described(Timestamp.nullable(), 'When it expires and disappears from reads on every node; null: never'),
  })),
);
export type Fact = z.infer<typeof Fact>;

/** What a writer gives to put one fact. */
export const FactInput = z.strictObject(
  lazyShape(() => ({
    key: FactKey.describe(
      'Where to store it, path-like (e.g. hosts/ezra/ollama/models); no empty, `.` or `..` segments, no control characters or lone surrogates',
    ),
    value: described(
      JsonValue.refine(
        (value) => utf8Length(JSON.stringify(value)) <= MAX_FACT_VALUE_BYTES,
        `must be at most ${MAX_FACT_VALUE_BYTES} bytes as JSON`,
      ),
      'The value: any JSON, at most 256 KiB as JSON text (UTF-8 bytes)',
    ),
    tags: described(
      z
        .array(Tag)
        .max(32)
        .default([])
        .transform((tags) => [...new Set(tags)].sort()),
      'Tags to find it by (`GET /facts?tag=`); stored sorted, without duplicates',
    ),
    ttlSeconds: described(
      z.number().check(z.positive(), z.lte(MAX_FACT_TTL_SECONDS)).nullable().default(null),
      'Seconds until it expires and disappears from reads (up to 10 years); null: never',
    ),
  })),
);
export type FactInput = z.infer<typeof FactInput>;
export type FactInputInit = z.input<typeof FactInput>;

/** A batch put of up to {@link MAX_FACT_BATCH} facts, applied atomically. */
export const BatchPutInput = z.strictObject(
  lazyShape(() => ({
    facts: described(
      z.array(FactInput).check(z.minLength(1), z.maxLength(MAX_FACT_BATCH)),
      'The facts, each like the body of `POST /fact`: all are stored, or none',
    ),
  })),
);
export type BatchPutInput = z.infer<typeof BatchPutInput>;

export const FactList = listOf('facts', Fact, 'The facts as stored, in request order');
export type FactList = z.infer<typeof FactList>;

/** `GET /facts`: filters combine with AND; ordered by key. */
export const FactQuery = z.strictObject(
  lazyShape(() => ({
    prefix: described(z.string().max(512).optional(), 'Only keys starting with this'),
    tag: described(Tag.optional(), 'Only facts with this tag'),
    q: described(
      z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(256),
          z.superRefine((query, context) => {
            const problem = fullTextQueryProblem(query);
            if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
          }),
        )
        .optional(),
      `Full-text match over keys and values (SQLite FTS5 syntax: ${FULL_TEXT_RULES}); a query matching more than ${MAX_FULL_TEXT_MATCHES} facts is refused: add words to narrow it`,
    ),
    updatedSince: described(Timestamp.optional(), 'Only facts written at or after this time'),
    limit: intFromQuery({
      min: 1,
      max: 1000,
      default: 100,
      description:
        'Most facts per page; a page also stops at about 4 MiB of values (at least one fact), so it may hold fewer while `nextCursor` is not null',
    }),
    cursor: described(Cursor.optional(), "The previous page's `nextCursor`; leave out for the first page"),
  })),
);
export type FactQuery = z.infer<typeof FactQuery>;

export const FactPage = pageOf('facts', Fact, 'Live facts matching every filter, ordered by key');
export type FactPage = z.infer<typeof FactPage>;

/** Path parameter of routes that address one fact (URL-encode `/` in keys, or not: both work). */
export const FactKeyParams = z.strictObject(lazyShape(() => ({ key: StoredFactKey })));

export const DeleteFactResult = z.object(
  lazyShape(() => ({
    key: StoredFactKey.describe('The key deleted'),
    deleted: described(z.boolean(), 'False when there was no live fact under the key'),
    version: described(Hlc.nullable(), 'Version of the tombstone written, or null when nothing was deleted'),
  })),
);
export type DeleteFactResult = z.infer<typeof DeleteFactResult>;
