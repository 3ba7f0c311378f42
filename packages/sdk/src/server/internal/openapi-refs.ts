/** Where the OpenAPI document keeps its named schemas: `SCHEMAS + name` is a `$ref` to one. */
export const SCHEMAS = '#/components/schemas/';
