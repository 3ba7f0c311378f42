import { HttpError } from '../http-error.ts';

/**
 * Parses a request body's JSON text; an empty body reads as `{}`, so a route whose body fields all
 * have defaults can be called bare. Throws 400 `invalid_json` for anything else that is not JSON.
 */
export function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json', 'Request body is not valid JSON');
  }
}
