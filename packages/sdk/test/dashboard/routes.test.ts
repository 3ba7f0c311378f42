import { describe, expect, test } from 'vitest';
import { dashboardRoutes, ServiceDetailQuery } from '../../src/dashboard/routes.ts';
import { createOpenApiDocument } from '../../src/server/openapi.ts';

type Json = Record<string, unknown>;

/** Every `$ref` in a document. */
function refsOf(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  }
  return found;
}

describe('ServiceDetailQuery', () => {
  test('reads from and to as ISO 8601 times or epoch milliseconds', () => {
    expect(ServiceDetailQuery.parse({ from: '2025-01-01T00:00:00Z', to: '1735696800000', resolution: '5m' })).toEqual({
      from: Date.UTC(2025, 0, 1),
      to: Date.UTC(2025, 0, 1, 2),
      resolution: '5m',
    });
    expect(ServiceDetailQuery.parse({})).toEqual({});
  });

  test('names the field at fault', () => {
    const issues = (value: unknown) =>
      ServiceDetailQuery.safeParse(value).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues({ from: 'yesterday' })).toEqual([
      'from: must be an ISO 8601 time (2025-01-31T12:00:00Z) or epoch milliseconds',
    ]);
    expect(issues({ from: '2000', to: '1000' })).toEqual(['from: must be before to']);
    expect(issues({ resolution: '1h' })?.[0]).toMatch(/^resolution: /);
    expect(issues({ since: '1' })?.[0]).toMatch(/^: Unrecognized key/);
  });
});

describe('the OpenAPI document of dashboardRoutes', () => {
  const doc = createOpenApiDocument({
    title: 'fleet-dashboard',
    version: '0.0.0',
    routes: Object.values(dashboardRoutes),
  }) as {
    paths: Record<string, { get: Json & { parameters?: Json[]; responses: Record<string, { content?: Json }> } }>;
  };

  test('documents every route, the range as query parameters and the media types', () => {
    expect(Object.keys(doc.paths)).toHaveLength(Object.keys(dashboardRoutes).length);
    const service = doc.paths['/api/services/{id}']!.get;
    expect(service.parameters?.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual([
      'path:id',
      'query:from',
      'query:to',
      'query:resolution',
    ]);
    expect(Object.keys(doc.paths['/api/events']!.get.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(doc.paths['/badge/{id}.svg']).toBeDefined();
    // Browsers cannot send bearer headers: the pages and the stream check tokens themselves.
    expect(doc.paths['/']!.get.security).toBeUndefined();
    expect(doc.paths['/api/status']!.get.security).toEqual([{ bearerAuth: [] }]);
  });

  test('every $ref resolves', () => {
    const components = (doc as unknown as { components: { schemas: Json; responses: Json } }).components;
    for (const ref of refsOf(doc)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
      expect(section && name && components[section as 'schemas' | 'responses'][name], ref).toBeDefined();
    }
  });
});
