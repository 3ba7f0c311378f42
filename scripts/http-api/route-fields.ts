import type { OpenApiDocument, Operation } from './openapi-document.ts';
import { type FieldRow, parameterRow, schemaFields } from './schema-fields.ts';

/** The field tables of one route, as the reference renders them. */
export interface RouteFields {
  path: FieldRow[];
  query: FieldRow[];
  header: FieldRow[];
  /** Undefined when the route takes no JSON body. */
  body: FieldRow[] | undefined;
  /** The success answer's fields (each event's, for a stream); empty for text answers. */
  response: FieldRow[];
}

/** Every field the reference shows for an operation: its parameters, body and success answer. */
export function routeFields(doc: OpenApiDocument, operation: Operation): RouteFields {
  const parameters = operation.parameters ?? [];
  const rows = (where: 'path' | 'query' | 'header') =>
    parameters
      .filter((parameter) => parameter.in === where)
      .map((parameter) =>
        parameterRow(doc, parameter.name, parameter.schema, parameter.required, parameter.description),
      );
  const body = operation.requestBody?.content['application/json'];
  return {
    path: rows('path'),
    query: rows('query'),
    header: rows('header'),
    body: body ? schemaFields(doc, body.schema) : undefined,
    response: successFields(doc, operation),
  };
}

function successFields(doc: OpenApiDocument, operation: Operation): FieldRow[] {
  const [, response] = Object.entries(operation.responses)[0]!;
  const content = response.content ?? {};
  const events = content['text/event-stream']?.['x-fleet-event-data'];
  if (events) return schemaFields(doc, events);
  const json = content['application/json'];
  return json ? schemaFields(doc, json.schema) : [];
}

/**
 * The fields of every route of `doc` that would render without a description, as
 * `GET /path: query limit`, `POST /path: body messages[].type`, `POST /path: response count`.
 */
export function undescribedFields(doc: OpenApiDocument): string[] {
  const missing: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const fields = routeFields(doc, operation);
      const sections: Array<[string, FieldRow[]]> = [
        ['path', fields.path],
        ['query', fields.query],
        ['header', fields.header],
        ['body', fields.body ?? []],
        ['response', fields.response],
      ];
      for (const [section, rows] of sections) {
        for (const row of rows) {
          if (row.description.trim() === '') missing.push(`${method.toUpperCase()} ${path}: ${section} ${row.name}`);
        }
      }
    }
  }
  return missing;
}
