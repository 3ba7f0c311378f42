import { exampleValue } from './example-value.ts';
import type { OpenApiDocument, Operation } from './openapi-document.ts';

/** A request an operation accepts: the contract's example where it gives one, else built from the schemas. */
export interface ExampleRequest {
  method: string;
  /** Path and query string, e.g. `/deadletter/m_1` or `/messages?to=coder`. */
  target: string;
  /** The JSON body, if the route takes one. */
  body: unknown;
  /** Whether the route needs the bearer token when the server has tokens. */
  auth: boolean;
  /** Whether the answer is an event stream (curl then must not buffer: `-N`). */
  stream: boolean;
}

/** Where a server is reached from a shell: its URL and token variables. */
export interface ShellTarget {
  /** e.g. `FLEET_BUS_URL`. */
  urlEnv: string;
  /** e.g. `http://127.0.0.1:8650`. */
  defaultUrl: string;
  /** e.g. `FLEET_BUS_TOKEN`. */
  tokenEnv: string;
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
  for (const parameter of operation.parameters ?? []) {
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
    auth: operation.security !== undefined,
    stream: Object.keys(operation.responses).some((status) =>
      Object.keys(operation.responses[status]?.content ?? {}).includes('text/event-stream'),
    ),
  };
}

/** The request as a curl command for a POSIX shell, one option per line. */
export function curlCommand(request: ExampleRequest, shell: ShellTarget): string {
  const lines = [
    `curl -sS${request.stream ? 'N' : ''}${request.method === 'GET' ? '' : ` -X ${request.method}`} "\${${shell.urlEnv}:-${shell.defaultUrl}}${request.target}"`,
  ];
  if (request.auth) lines.push(`-H "Authorization: Bearer $${shell.tokenEnv}"`);
  if (request.body !== undefined) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`-d '${JSON.stringify(request.body).replaceAll("'", "'\\''")}'`);
  }
  return lines.join(' \\\n  ');
}
