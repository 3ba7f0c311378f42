import { exampleValue } from './example-value.ts';
import type { OpenApiDocument, Operation } from './openapi-document.ts';

/** A request an operation accepts: the contract's example where it gives one, else built from the schemas. */
export interface ExampleRequest {
  method: string;
  /** Path and query string, e.g. `/deadletter/m_1` or `/messages?to=coder`. */
  target: string;
  /** The JSON body, if the route takes one. */
  body: unknown;
  /** The documented request headers that have an example value, in the document's order. */
  headers: ExampleHeader[];
  /** Whether the route needs the bearer token when the server has tokens. */
  auth: boolean;
  /** Whether the answer is an event stream (curl then must not buffer: `-N`). */
  stream: boolean;
}

/** A request header of an example request. */
export interface ExampleHeader {
  name: string;
  /** The example value; for a signature header, the value signing {@link ExampleRequest.body}. */
  value: string;
  /** Set on a header carrying the body's HMAC-SHA256 (hex) after this prefix. */
  hmacSha256Prefix?: string;
}

/** Where a server is reached from a shell: its URL and token variables. */
export interface ShellTarget {
  /** e.g. `FLEET_BUS_URL`. */
  urlEnv: string;
  /** e.g. `http://127.0.0.1:8650`. */
  defaultUrl: string;
  /** e.g. `FLEET_BUS_TOKEN`. */
  tokenEnv: string;
  /** The variable holding the secret a signature header is computed with, e.g. `FLEET_DEPLOY_SECRET`. */
  secretEnv?: string;
}

/**
 * The example request of `method path`: path parameters and required query parameters from their
 * `example` (else built from the schema), optional query parameters only when the contract's
 * example sets them, and the body's `example` (else built from the body schema).
 */
export function exampleRequest(
  doc: OpenApiDocument,
  method: string,
  path: string,
  operation: Operation,
): ExampleRequest {
  let target = path;
  const query = new URLSearchParams();
  const headers: ExampleHeader[] = [];
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'header') {
      const prefix = parameter['x-fleet-hmac-sha256-prefix'];
      if (parameter.example !== undefined) {
        headers.push({
          name: parameter.name,
          value: String(parameter.example),
          ...(prefix === undefined ? {} : { hmacSha256Prefix: prefix }),
        });
      }
      continue;
    }
    const value =
      parameter.example ?? (parameter.required ? exampleValue(doc, parameter.schema, parameter.name) : undefined);
    if (value === undefined) continue;
    if (parameter.in === 'path') {
      const text = String(value);
      // A catch-all keeps its `/`: the server takes it raw or encoded.
      const encoded = parameter['x-fleet-catch-all']
        ? text.split('/').map(encodeURIComponent).join('/')
        : encodeURIComponent(text);
      target = target.replace(`{${parameter.name}}`, encoded);
    } else {
      query.set(parameter.name, String(value));
    }
  }
  const search = query.toString();
  const json = operation.requestBody?.content['application/json'];
  return {
    method: method.toUpperCase(),
    target: search === '' ? target : `${target}?${search}`,
    body: json ? (json.example ?? exampleValue(doc, json.schema, 'body')) : undefined,
    headers,
    auth: operation.security !== undefined,
    stream: Object.keys(operation.responses).some((status) =>
      Object.keys(operation.responses[status]?.content ?? {}).includes('text/event-stream'),
    ),
  };
}

/** A word quoted for a POSIX shell: single quotes, each `'` in it as `'\''`. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The request as a curl command for a POSIX shell, one option per line. A request with a signature
 * header first puts its body in `$body`, and computes the header with `openssl` from that and the
 * secret in `shell.secretEnv`, so the bytes signed are the bytes sent.
 */
export function curlCommand(request: ExampleRequest, shell: ShellTarget): string {
  const signed = request.headers.some((header) => header.hmacSha256Prefix !== undefined);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const lines = [
    `curl -sS${request.stream ? 'N' : ''}${request.method === 'GET' ? '' : ` -X ${request.method}`} "\${${shell.urlEnv}:-${shell.defaultUrl}}${request.target}"`,
  ];
  if (request.auth) lines.push(`-H "Authorization: Bearer $${shell.tokenEnv}"`);
  if (body !== undefined) lines.push(`-H 'Content-Type: application/json'`);
  for (const header of request.headers) {
    if (header.hmacSha256Prefix === undefined) {
      lines.push(`-H ${shellQuote(`${header.name}: ${header.value}`)}`);
      continue;
    }
    if (!shell.secretEnv) throw new Error(`${request.method} ${request.target}: a signed example needs secretEnv`);
    const hmac = `$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$${shell.secretEnv}" -r | cut -d' ' -f1)`;
    lines.push(`-H "${header.name}: ${header.hmacSha256Prefix}${hmac}"`);
  }
  if (body !== undefined) lines.push(signed ? `--data-binary "$body"` : `-d ${shellQuote(body)}`);
  const command = lines.join(' \\\n  ');
  return signed && body !== undefined ? `body=${shellQuote(body)}\n${command}` : command;
}
