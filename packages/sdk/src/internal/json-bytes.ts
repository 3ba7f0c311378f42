const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The JSON of each object encoded so far, kept while the object lives: a source that hands one
 * object to every listener (a knowledge change to each watch of its prefix, a message to each
 * stream of its agent) has it serialized once, and every feed holds the same bytes.
 */
const encoded = new WeakMap<object, Uint8Array>();

/** `item` as JSON in UTF-8, encoded once per object (items are not to be changed once pushed). */
export function jsonBytesOf(item: object): Uint8Array {
  let bytes = encoded.get(item);
  if (bytes === undefined) {
    bytes = encoder.encode(JSON.stringify(item));
    encoded.set(item, bytes);
  }
  return bytes;
}

/** The value that {@link jsonBytesOf} encoded. */
export function parseJsonBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}
