import { ERROR_STATUS, ErrorEnvelope } from '@fleet/sdk';
import type { FuzzCase } from './broken-requests.ts';
import { documentedSchemaProblems } from './document-schema.ts';
import type { OperationUnderTest } from './request-parts.ts';
import type { FuzzAnswer } from './send.ts';

/** Codes any route may answer with before its handler runs (no route, another method). */
const PLUMBING = new Set(['route_not_found', 'method_not_allowed']);

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function header(answer: FuzzAnswer, name: string): string {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** A 401 names how to authenticate: the bearer scheme, or for a signed route a challenge of its own. */
function challengeProblems(c: FuzzCase, answer: FuzzAnswer, code: string): string[] {
  if (code !== 'unauthorized') return [];
  const challenge = header(answer, 'www-authenticate');
  if (!c.bySignature) return /bearer/i.test(challenge) ? [] : ['401 without WWW-Authenticate: Bearer'];
  return challenge !== '' && !/bearer/i.test(challenge) ? [] : [`401 of a signed route with challenge "${challenge}"`];
}

/** What is wrong with an error answer: not the envelope, a code of another status, not what the case expects. */
function errorProblems(c: FuzzCase, answer: FuzzAnswer, op: OperationUnderTest): string[] {
  const type = header(answer, 'content-type');
  if (type.startsWith('text/html')) return htmlErrorProblems(c, answer, op);
  if (!type.startsWith('application/json')) return [`error answer is ${type || 'untyped'}, not the JSON envelope`];
  const json = parseJson(answer.text);
  if (!json) return ['error answer is not JSON'];
  const envelope = ErrorEnvelope.safeParse(json.value);
  if (!envelope.success) return [`error answer is not the envelope: ${envelope.error.message}`];
  const off = documentedSchemaProblems(op.doc, { $ref: '#/components/schemas/ErrorEnvelope' }, json.value);
  if (off.length > 0) return [`error answer does not match the documented ErrorEnvelope: ${off.join('; ')}`];
  const { code, details } = envelope.data.error;
  const problems: string[] = [];
  const status = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
  if (status !== answer.status) problems.push(`code ${code} is answered with ${status}, not ${answer.status}`);
  if (c.expect && !c.expect.includes(code)) problems.push(`expected ${c.expect.join(' or ')}, got ${code}`);
  const documented = op.operation.responses[String(answer.status)];
  const listed = documented?.['x-fleet-error-codes'] ?? [];
  if (!PLUMBING.has(code) && !c.resolvesElsewhere && !listed.includes(code))
    problems.push(
      `${code} is not among the route's documented ${answer.status} codes (${listed.join(', ') || 'none'})`,
    );
  if (!PLUMBING.has(code) && documented?.['x-fleet-html-error-codes']?.includes(code))
    problems.push(`${code} is documented as an HTML page, but answered with the envelope`);
  problems.push(...challengeProblems(c, answer, code));
  if (code === 'method_not_allowed' && header(answer, 'allow') === '') problems.push('405 without Allow');
  const issues = (details as { issues?: Array<{ field: string }> } | undefined)?.issues ?? [];
  if (code === 'validation_failed' && issues[0] && !envelope.data.error.message.startsWith(`${issues[0].field}: `))
    problems.push(`validation_failed message does not start with its first field (${issues[0].field}: ...)`);
  if (c.field !== undefined && code === 'validation_failed') {
    const field = c.field;
    if (!issues.some((issue) => issue.field === field || issue.field.startsWith(`${field}.`)))
      problems.push(`no issue names ${field}: ${JSON.stringify(issues.map((issue) => issue.field))}`);
  }
  return problems;
}

/**
 * What is wrong with an HTML error page: only a status the document gives `text/html` content may
 * answer one, with a code (its root element's `data-code`) that the document lists as an HTML one.
 */
function htmlErrorProblems(c: FuzzCase, answer: FuzzAnswer, op: OperationUnderTest): string[] {
  const documented = op.operation.responses[String(answer.status)];
  if (!documented?.content?.['text/html'])
    return [`error answer is an HTML page, but the document gives ${answer.status} no text/html content`];
  const code = /<main id="notice"[^>]* data-code="([a-z_]+)"/.exec(answer.text)?.[1];
  if (code === undefined) return ['HTML error page without the data-code of its error'];
  const problems: string[] = [];
  const status = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
  if (status !== answer.status) problems.push(`code ${code} is answered with ${status}, not ${answer.status}`);
  if (!documented['x-fleet-html-error-codes']?.includes(code))
    problems.push(`${code} is not among the route's documented HTML ${answer.status} codes`);
  if (c.expect && !c.expect.includes(code)) problems.push(`expected ${c.expect.join(' or ')}, got ${code}`);
  problems.push(...challengeProblems(c, answer, code));
  return problems;
}

/** What is wrong with a success answer: a broken request accepted, another status, a body off its schema. */
function successProblems(c: FuzzCase, answer: FuzzAnswer, op: OperationUnderTest): string[] {
  if (c.expect) return [`a broken request was accepted (expected ${c.expect.join(' or ')})`];
  if (c.resolvesElsewhere) return [];
  const { route } = op;
  const kind = route.kind ?? 'json';
  const status = route.status ?? 200;
  if (answer.status !== status) return [`success answered ${answer.status}, documented ${status}`];
  const type = header(answer, 'content-type');
  if (kind === 'sse') return type.startsWith('text/event-stream') ? [] : [`event stream answered as ${type}`];
  if (kind === 'text') {
    const documented = Object.keys(op.operation.responses[String(status)]?.content ?? {});
    return documented.some((media) => type.split(';')[0]!.trim() === media)
      ? []
      : [`text route answered as ${type}, documented ${documented.join(' or ') || 'no content'}`];
  }
  if (!type.startsWith('application/json')) return [`JSON route answered as ${type}`];
  const json = parseJson(answer.text);
  if (!json) return ['success answer is not JSON'];
  const parsed = route.response.safeParse(json.value);
  const problems = parsed.success ? [] : [`success body does not match the response schema: ${parsed.error.message}`];
  const documented = op.operation.responses[String(status)]?.content?.['application/json']?.schema;
  if (!documented) return [...problems, `the document gives ${status} no application/json content`];
  const off = documentedSchemaProblems(op.doc, documented, json.value);
  if (off.length > 0) problems.push(`success body does not match the documented schema: ${off.join('; ')}`);
  return problems;
}

/** What is wrong with a redirect: one the document does not declare, or without its headers. */
function redirectProblems(c: FuzzCase, answer: FuzzAnswer, op: OperationUnderTest): string[] {
  if (c.expect) return [`a broken request was redirected (expected ${c.expect.join(' or ')})`];
  const documented = op.operation.responses[String(answer.status)];
  if (!documented?.headers) return [`answered ${answer.status}, which the document does not declare`];
  return Object.keys(documented.headers)
    .filter((name) => header(answer, name) === '')
    .map((name) => `redirect without its documented ${name} header`);
}

/**
 * Everything wrong with `answer` to case `c`: any 5xx; a redirect the document does not declare; a 4xx that is not the error envelope (with
 * the status of its code, and the code and field the case expects); a 2xx to a broken request, or
 * one whose status or body is not what the route documents (its zod response schema: the one
 * definition clients parse with).
 */
export function answerProblems(c: FuzzCase, answer: FuzzAnswer, op: OperationUnderTest): string[] {
  if (answer.status >= 500) return [`answered ${answer.status}`];
  // A HEAD answer has the headers of the GET answer and no body to check.
  if (c.method === 'HEAD')
    return header(answer, 'content-type').startsWith('application/json') || answer.status < 400
      ? []
      : ['HEAD error answer is not JSON'];
  if (answer.status >= 400) return errorProblems(c, answer, op);
  if (answer.status >= 200 && answer.status < 300) return successProblems(c, answer, op);
  if (answer.status >= 300 && answer.status < 400) return redirectProblems(c, answer, op);
  return [`answered ${answer.status}`];
}
