import { invalidField } from '../../internal/invalid-field.ts';
import type { JsonValue } from '../../schemas/common.ts';
import { type FactInput, MAX_FACT_TTL_SECONDS, MAX_FACT_VALUE_BYTES } from '../../schemas/fact.ts';
import { factKeyProblem, storedFactKeyProblem, tagProblem } from '../../schemas/fact-rules.ts';
import type { Change } from '../../schemas/sync.ts';
import { utf8Length } from '../../schemas/utf8-length.ts';
import { type HlcTimestamp, parseHlc } from '../hlc.ts';

const MAX_TAGS = 32;
const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A fact input checked and serialized for storage. */
export interface CheckedInput {
  key: string;
  value: JsonValue;
  valueText: string;
  tags: string[];
  /** JSON array text, or null when there are no tags. */
  tagsText: string | null;
  ttlMs: number | null;
}

/** A remote change checked and serialized for storage: everything the store writes of it. */
export interface CheckedChange {
  key: string;
  /** The change's version, as text and parsed. */
  versionText: string;
  version: HlcTimestamp;
  /** The node that wrote this version. */
  source: string;
  /** JSON text, or null for a tombstone. */
  valueText: string | null;
  /** Sorted, without duplicates; empty for a tombstone. */
  tags: string[];
  /** JSON array text of `tags`, or null when there are none. */
  tagsText: string | null;
  expiresAt: number | null;
}

function checkKey(key: unknown, field: string, problemOf: (key: string) => string | undefined): string {
  if (typeof key !== 'string') throw invalidField(field, 'must be a string');
  const problem = problemOf(key);
  if (problem !== undefined) throw invalidField(field, problem);
  return key;
}

function checkTags(tags: unknown, field: string): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw invalidField(field, 'must be an array of tags');
  if (tags.length > MAX_TAGS) throw invalidField(field, `must hold at most ${MAX_TAGS} tags`);
  tags.forEach((tag, index) => {
    const problem = typeof tag === 'string' ? tagProblem(tag) : 'must be a string';
    if (problem !== undefined) throw invalidField(`${field}.${index}`, problem);
  });
  if (tags.length < 2) return tags as string[];
  return [...new Set(tags as string[])].sort();
}

/** `text`, a value's JSON, when it is within {@link MAX_FACT_VALUE_BYTES} as UTF-8: the rule of a put. */
function checkValueSize(text: string, field: string): string {
  if (utf8Length(text) > MAX_FACT_VALUE_BYTES) {
    throw invalidField(field, `must be at most ${MAX_FACT_VALUE_BYTES} bytes as JSON`);
  }
  return text;
}

/**
 * `text`, a remote change's value as JSON, when it is within the limit as earlier versions measured
 * it: {@link MAX_FACT_VALUE_BYTES} UTF-16 code units, so at most 3 times that in bytes. A value they
 * stored (here, or at a peer still running one) keeps replicating: a refused change fails its whole
 * push or pulled page, which would stop replication from that peer for good.
 */
function checkSyncedValueSize(text: string, field: string): string {
  if (text.length > MAX_FACT_VALUE_BYTES) {
    throw invalidField(field, `must be at most ${MAX_FACT_VALUE_BYTES} characters as JSON`);
  }
  return text;
}

function serialize(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw invalidField(field, `must be JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw invalidField(field, 'must be a JSON value');
  return text;
}

/**
 * Checks one fact input again at the store (the server has parsed it with the `FactInput`
 * schema; direct callers may not have). `field` prefixes the names in errors, e.g. `facts.3.`.
 */
export function checkFactInput(input: FactInput, field = ''): CheckedInput {
  if (typeof input !== 'object' || input === null)
    throw invalidField(field.slice(0, -1) || 'fact', 'must be an object');
  const key = checkKey(input.key, `${field}key`, factKeyProblem);
  const valueText = checkValueSize(serialize(input.value, `${field}value`), `${field}value`);
  const tags = checkTags(input.tags, `${field}tags`);
  const ttl = input.ttlSeconds ?? null;
  if (ttl !== null && !(typeof ttl === 'number' && ttl > 0 && ttl <= MAX_FACT_TTL_SECONDS)) {
    throw invalidField(`${field}ttlSeconds`, `must be a number of seconds in (0, ${MAX_FACT_TTL_SECONDS}]`);
  }
  return {
    key,
    value: input.value,
    valueText,
    tags,
    tagsText: tags.length === 0 ? null : JSON.stringify(tags),
    ttlMs: ttl === null ? null : Math.max(1, Math.round(ttl * 1000)),
  };
}

/** Checks one remote change of a batch; `field` prefixes the names in errors, e.g. `changes.3.`. */
export function checkChange(change: Change, field: string): CheckedChange {
  if (typeof change !== 'object' || change === null) throw invalidField(field.slice(0, -1), 'must be an object');
  // Keys and values as versions before this one accepted them, for the reason of checkSyncedValueSize.
  const key = checkKey(change.key, `${field}key`, storedFactKeyProblem);
  const version = parseHlc(change.version, `${field}version`);
  if (typeof change.source !== 'string' || !NODE_ID.test(change.source)) {
    throw invalidField(`${field}source`, 'must be a node id');
  }
  const deleted = change.deleted === true;
  let expiresAt: number | null = null;
  if (!deleted && change.expiresAt !== null && change.expiresAt !== undefined) {
    expiresAt = Date.parse(change.expiresAt);
    if (Number.isNaN(expiresAt)) throw invalidField(`${field}expiresAt`, 'must be an ISO 8601 timestamp');
  }
  const tags = deleted ? [] : checkTags(change.tags, `${field}tags`);
  return {
    key,
    versionText: change.version,
    version,
    source: change.source,
    // A pushed or pulled value is held to (about) the limit of a put: a peer cannot store (and
    // then replicate to every node) what no client could have written.
    valueText: deleted ? null : checkSyncedValueSize(serialize(change.value, `${field}value`), `${field}value`),
    tags,
    tagsText: tags.length === 0 ? null : JSON.stringify(tags),
    expiresAt,
  };
}
