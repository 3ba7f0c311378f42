import { resolveSchema } from '../../scripts/http-api/openapi-document.ts';
import { allowedTypes, DEEP_LEVELS, deepArrays, fieldMutations } from './field-mutations.ts';
import type { RandomTools } from './random-value.ts';
import {
  bodySchema,
  headersOf,
  type OperationUnderTest,
  pathParameters,
  queryParameters,
  type RequestParts,
  requestOf,
  targetOf,
} from './request-parts.ts';
import type { FuzzRequest } from './send.ts';

/** A request and what its answer must be. */
export interface FuzzCase extends FuzzRequest {
  /** The error codes a broken request must be refused with; unset: any answer within the contract. */
  expect?: readonly string[];
  /** With `validation_failed`: an issue's `field` must be this or start with `<this>.`. */
  field?: string;
  /**
   * The path is not the documented one (a `.` or `..` segment, which URL parsing resolves away, a
   * trailing or doubled slash): the server may answer it as another route, whose schema then
   * applies instead of this one's; only the error rules are checked.
   */
  resolvesElsewhere?: boolean;
  /** The route authenticates by a signature: its 401 names a challenge, but not the bearer scheme. */
  bySignature?: boolean;
}

/** Whether URL parsing turns `target`'s path into another one (dot segments). */
function resolvesElsewhere(target: string): boolean {
  const path = target.split('?')[0]!;
  return new URL(path, 'http://127.0.0.1').pathname !== path;
}

/** The servers' default body limit (`bodyLimitBytes`). */
const BODY_LIMIT = 1024 * 1024;

const MALFORMED = ['{', '{"a":}', '{"a" 1}', "{'a':1}", 'nul', '[1,]', '{"a":1}}', '\ufeff{}', '\u0000', 'NaN'];
const WRONG_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/html; charset=utf-8',
];
const BAD_SEGMENTS = [
  '%20',
  '%',
  '%zz',
  '%00',
  '%0A',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  'a%2F..%2Fb',
  'x'.repeat(10_000),
  '%E2%9C%93',
  '%F0%9F%92%A5',
  '%C0%AF',
  '%ED%A0%80',
];
const BAD_QUERY_VALUES = [
  'abc',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  '',
  ' ',
  '1.5',
  'x'.repeat(5000),
  '\u0000',
];
const VALIDATION = ['validation_failed'] as const;

/** Broken bodies: malformed JSON, wrong content types, oversized, deep, and fields missing, mistyped or unknown. */
function brokenBodies(op: OperationUnderTest, base: RequestParts, tools: RandomTools, token: string): FuzzCase[] {
  const schema = bodySchema(op);
  if (!schema) return [];
  const cases: FuzzCase[] = [];
  const valid = requestOf(op, base, '', token);
  const json = valid.body!;
  const raw = (label: string, body: string, extra: Partial<FuzzCase> = {}): FuzzCase => ({
    ...valid,
    label: `broken body: ${label}`,
    body,
    ...extra,
  });

  for (const text of [tools.pick(MALFORMED), tools.pick(MALFORMED), json.slice(0, Math.max(1, tools.int(json.length)))])
    cases.push(raw(`malformed JSON ${JSON.stringify(text.slice(0, 20))}`, text, { expect: ['invalid_json'] }));
  for (const type of [tools.pick(WRONG_TYPES), tools.pick(WRONG_TYPES)])
    cases.push({
      ...raw(`sent as ${type}`, json),
      headers: { ...valid.headers, 'content-type': type },
      expect: ['unsupported_media_type'],
    });
  const padding = 'x'.repeat(BODY_LIMIT);
  cases.push(raw('over the body limit', `{"pad":"${padding}"}`, { expect: ['payload_too_large'] }));
  cases.push(
    raw('over the body limit, chunked', `{"pad":"${padding}"}`, { expect: ['payload_too_large'], chunked: true }),
  );
  cases.push(raw(`${DEEP_LEVELS} arrays deep`, deepArrays(DEEP_LEVELS), { expect: VALIDATION, field: 'body' }));
  cases.push(
    raw('nested as deep as fits in the body limit', deepArrays(BODY_LIMIT / 2 - 16), {
      expect: VALIDATION,
      field: 'body',
    }),
  );

  const resolved = resolveSchema(op.doc, schema);
  if (resolved.type !== 'object' || typeof base.body !== 'object' || base.body === null) return cases;
  for (const other of ['null', '[]', '"text"', '42', 'true'])
    cases.push(raw(`${other} instead of an object`, other, { expect: VALIDATION, field: 'body' }));

  for (const mutation of fieldMutations(op, schema, base.body, tools))
    cases.push(raw(mutation.label, mutation.body, { expect: VALIDATION, field: mutation.field }));
  const more = json.length > 2 ? ',' : '';
  cases.push(raw('a __proto__ key', `{"__proto__":{"polluted":true}${more}${json.slice(1)}`));
  cases.push(raw('every key twice', `${json.slice(0, -1)}${more}${json.slice(1)}`));
  return cases;
}

/**
 * Whether the route checks the token: it names the bearer scheme, or (a page or stream a browser
 * opens, which checks the header or a session cookie itself) documents `unauthorized`.
 */
function checksToken(op: OperationUnderTest): boolean {
  if (op.operation.security) return true;
  return Object.values(op.operation.responses).some((response) =>
    response['x-fleet-error-codes']?.includes('unauthorized'),
  );
}

/** Requests without the token, with a wrong one, or with another scheme. */
function brokenAuth(op: OperationUnderTest, base: RequestParts, token: string): FuzzCase[] {
  if (!checksToken(op)) return [];
  const valid = requestOf(op, base, '', token);
  const { authorization: _, ...rest } = valid.headers;
  return [
    { ...valid, label: 'no token', headers: rest, expect: ['unauthorized'] },
    {
      ...valid,
      label: 'a wrong token',
      headers: { ...rest, authorization: 'Bearer not-the-token' },
      expect: ['unauthorized'],
    },
    {
      ...valid,
      label: 'another scheme',
      headers: { ...rest, authorization: `Basic ${token}` },
      expect: ['unauthorized'],
    },
    { ...valid, label: 'an empty bearer', headers: { ...rest, authorization: 'Bearer ' }, expect: ['unauthorized'] },
    // The dashboard's pages take a `?token=` (and set a session cookie); no route takes a wrong one.
    // A route without query parameters that checks the token itself (the dashboard's event stream)
    // refuses the parameter first, as it refuses any.
    {
      ...valid,
      label: 'a wrong token in the query',
      target: `${valid.target}${valid.target.includes('?') ? '&' : '?'}token=not-the-token`,
      headers: rest,
      expect:
        queryParameters(op).length > 0 || op.operation.security
          ? ['unauthorized']
          : ['unauthorized', 'validation_failed'],
    },
  ];
}

/** Bad path parameter values and query values, unknown and repeated query parameters. */
function brokenInputs(op: OperationUnderTest, base: RequestParts, tools: RandomTools, token: string): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const valid = requestOf(op, base, '', token);
  for (const parameter of pathParameters(op)) {
    for (const segment of [tools.pick(BAD_SEGMENTS), tools.pick(BAD_SEGMENTS), tools.pick(BAD_SEGMENTS)]) {
      const target = targetOf(op, base, { [parameter.name]: segment });
      cases.push({
        ...valid,
        label: `path parameter ${parameter.name} = ${segment.slice(0, 20)}`,
        target,
        ...(resolvesElsewhere(target) ? { resolvesElsewhere: true } : {}),
      });
    }
  }
  for (const parameter of queryParameters(op)) {
    const others = base.query.filter(([name]) => name !== parameter.name);
    const types = allowedTypes(op, parameter.schema);
    for (const value of [tools.pick(BAD_QUERY_VALUES), tools.pick(BAD_QUERY_VALUES)]) {
      const parts = { ...base, query: [...others, [parameter.name, value] as [string, string]] };
      const notInteger = types.size === 1 && types.has('integer') && !/^\s*-?\d+\s*$/.test(value);
      cases.push({
        ...valid,
        label: `query ${parameter.name} = ${JSON.stringify(value.slice(0, 20))}`,
        target: targetOf(op, parts),
        ...(notInteger ? { expect: VALIDATION, field: parameter.name } : {}),
      });
    }
    if (!types.has('array') && types.size > 0) {
      const parts = {
        ...base,
        query: [...others, [parameter.name, 'a'], [parameter.name, 'b']] as Array<[string, string]>,
      };
      cases.push({
        ...valid,
        label: `query ${parameter.name} repeated`,
        target: targetOf(op, parts),
        expect: VALIDATION,
        field: parameter.name,
      });
    }
  }
  const unknown = { ...base, query: [...base.query, ['unexpectedParam', '1']] as Array<[string, string]> };
  cases.push({ ...valid, label: 'an unknown query parameter', target: targetOf(op, unknown) });
  const [path, search] = valid.target.split('?') as [string, string | undefined];
  const query = search === undefined ? '' : `?${search}`;
  cases.push({
    ...valid,
    label: 'malformed escapes in the query',
    target: `${path}?${search ?? ''}&%zz=%E0%A4%A&limit=%`,
  });
  cases.push({
    ...valid,
    label: 'a thousand query parameters',
    target: `${valid.target}${search === undefined ? '?' : '&'}${'p=1&'.repeat(1000)}`,
  });
  // Not the documented path: the server may answer it as another route (or none).
  for (const [label, target] of [
    ['a trailing slash', `${path}/${query}`],
    ['a doubled slash', `${path.replace('/', '//')}${query}`],
  ] as const)
    cases.push({ ...valid, label, target, resolvesElsewhere: true });
  if (op.method === 'GET') cases.push({ ...valid, label: 'as HEAD', method: 'HEAD' });
  const pathItem = op.doc.paths[op.path] ?? {};
  const other = ['PATCH', 'PUT', 'DELETE', 'POST'].find((method) => !(method.toLowerCase() in pathItem));
  if (other) cases.push({ ...valid, label: `method ${other}`, method: other, expect: ['method_not_allowed'] });
  if (!bodySchema(op)) {
    const headers = headersOf(token, true);
    cases.push({ ...valid, label: 'a malformed body on a route without one', headers, body: '{"unexpected":' });
  }
  return cases;
}

/**
 * A page that takes the token in its query (documented as the `token` query parameter, with a
 * redirect): opened with the right one, without a bearer header.
 */
function sessionCases(op: OperationUnderTest, base: RequestParts, token: string): FuzzCase[] {
  const redirects = Object.keys(op.operation.responses).some((status) => /^3\d\d$/.test(status));
  if (!redirects || !queryParameters(op).some((parameter) => parameter.name === 'token')) return [];
  const valid = requestOf(op, { ...base, query: [...base.query, ['token', token]] }, '', token);
  const { authorization: _, ...headers } = valid.headers;
  return [{ ...valid, label: 'opened with the right ?token=', headers }];
}

/**
 * Every broken request of an operation, built from the valid `base`; without `tokenAuth`, no
 * token cases (a route authenticated by a signature has its own).
 */
export function brokenCases(
  op: OperationUnderTest,
  base: RequestParts,
  tools: RandomTools,
  token: string,
  { tokenAuth = true }: { tokenAuth?: boolean } = {},
): FuzzCase[] {
  return [
    ...(tokenAuth ? [...brokenAuth(op, base, token), ...sessionCases(op, base, token)] : []),
    ...brokenInputs(op, base, tools, token),
    ...brokenBodies(op, base, tools, token),
  ];
}
