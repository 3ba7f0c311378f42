import type { z } from 'zod';
import type { RouteAnswerText } from '../../client/call-route.ts';
import { parseAnswer } from '../../client/parse-answer.ts';
import { isFleetError } from '../../errors.ts';
import type { ChangePage } from '../../schemas/sync.ts';
import { CheckedChanges, type CheckedColumns } from '../internal/checked-changes.ts';
import { knowledgeRoutes } from '../routes.ts';
import { fromThreadError, type ThreadError } from './thread-errors.ts';

/** The fields of a {@link ChangePage} besides its changes. */
export type PageFields = Omit<ChangePage, 'changes'>;

/**
 * A page of a peer's feed (or snapshot) as the sync engine pulled it: the page's fields, and its
 * changes validated with the `ChangePage` schema and checked for the store, ready to apply.
 */
export interface PulledPage extends PageFields {
  checked: CheckedChanges;
}

/** A decoded pull answer as plain data, to cross threads (changes as columns). */
export type DecodedAnswer =
  | { ok: true; fields: PageFields; columns: CheckedColumns }
  | { ok: false; error: ThreadError };

type Decoded =
  | { ok: true; fields: PageFields; checked: CheckedChanges }
  | { ok: false; error: ThreadError; cause: unknown };

/** Parses, validates and checks a pull answer; a refusal is returned as data, not thrown. */
function decode(answer: RouteAnswerText): Decoded {
  const parsed = parseAnswer(knowledgeRoutes.pull, answer.text);
  if (!parsed.ok) {
    // Plain data only: the issues may be posted to another thread.
    const issues = JSON.parse(JSON.stringify(parsed.issues)) as z.core.$ZodIssue[];
    const { request, status } = answer;
    const error: ThreadError = { kind: 'contract', request, status, problem: parsed.problem, issues };
    return { ok: false, error, cause: parsed.cause };
  }
  const { changes, ...fields } = parsed.value;
  try {
    return { ok: true, fields, checked: CheckedChanges.check(changes) };
  } catch (error) {
    if (!isFleetError(error)) throw error;
    const details = error.details === undefined ? {} : { details: error.details };
    return { ok: false, error: { kind: 'fleet', code: error.code, message: error.message, ...details }, cause: error };
  }
}

/** {@link decodePulledPage} for a worker thread: the outcome as plain data, changes as columns. */
export function decodeAnswer(answer: RouteAnswerText): DecodedAnswer {
  const outcome = decode(answer);
  // The cause stays in this thread: it need not survive postMessage.
  return outcome.ok
    ? { ok: true, fields: outcome.fields, columns: outcome.checked.toColumns() }
    : { ok: false, error: outcome.error };
}

/** The page {@link decodeAnswer} described (in the thread that applies it); throws a refusal. */
export function pulledPageOf(decoded: DecodedAnswer): PulledPage {
  if (!decoded.ok) throw fromThreadError(decoded.error);
  return { ...decoded.fields, checked: CheckedChanges.fromColumns(decoded.columns) };
}

/**
 * Decodes a `POST /sync/pull` answer (`KnowledgeClient.pullText`) in this thread: parses it,
 * validates it with the `ChangePage` schema (a `ResponseValidationError` otherwise, as
 * `KnowledgeClient.pull` throws) and checks its changes for the store (`validation_failed`
 * naming the field otherwise, e.g. `changes.3.tags`).
 */
export function decodePulledPage(answer: RouteAnswerText): PulledPage {
  const outcome = decode(answer);
  if (!outcome.ok) throw fromThreadError(outcome.error, outcome.cause);
  return { ...outcome.fields, checked: outcome.checked };
}
