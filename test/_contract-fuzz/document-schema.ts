import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema, OpenApiDocument } from '../../scripts/http-api/openapi-document.ts';

/** One validator per document: its component schemas compiled once, each as its refs need. */
const validators = new WeakMap<OpenApiDocument, { ajv: Ajv2020; compiled: Map<string, ValidateFunction> }>();

const DOCUMENT_ID = 'openapi.json';

function validatorOf(doc: OpenApiDocument, schema: JsonSchema): ValidateFunction {
  let entry = validators.get(doc);
  if (!entry) {
    // The document is JSON Schema 2020-12 inside OpenAPI 3.1; formats are the zod schemas' to check.
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(doc as object, DOCUMENT_ID);
    entry = { ajv, compiled: new Map() };
    validators.set(doc, entry);
  }
  const key = JSON.stringify(schema);
  let validate = entry.compiled.get(key);
  if (!validate) {
    // Refs in the document point into it (`#/components/schemas/...`): resolve them against it.
    const ref =
      typeof schema.$ref === 'string' && schema.$ref.startsWith('#') ? `${DOCUMENT_ID}${schema.$ref}` : undefined;
    validate = ref ? entry.ajv.getSchema(ref) : entry.ajv.compile({ ...schema, $id: `inline-${entry.compiled.size}` });
    if (!validate) throw new Error(`the document has no schema ${schema.$ref}`);
    entry.compiled.set(key, validate);
  }
  return validate;
}

/**
 * What keeps `value` from passing `schema` as the document states it (JSON Schema 2020-12, its
 * refs resolved in `doc`): a description of each failure, or nothing. This checks the document
 * itself, beside the zod schema it was generated from.
 */
export function documentedSchemaProblems(doc: OpenApiDocument, schema: JsonSchema, value: unknown): string[] {
  const validate = validatorOf(doc, schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? error.keyword}`);
}
