import { isMap, isNode, isPair, isScalar, isSeq, type Node } from 'yaml';

/** A position in the document tree: map keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** `services.bus.port`, as problems name a place. */
export function pathText(path: Path): string {
  return path.join('.');
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function start(node: unknown): number | undefined {
  return isNode(node) ? (node as Node).range?.[0] : undefined;
}

/**
 * The source offset of the node at `path`: its key (`anchor: 'key'`) or its value. When the path
 * leaves the document (a missing required key), the key of the deepest map entry that exists: the
 * `bus:` of `services.bus.port` is where the port is missing. Of repeated keys the last one counts,
 * as in the parsed value.
 */
export function locate(contents: unknown, path: Path, anchor: 'key' | 'value' = 'value'): number {
  let node = contents;
  let deepest = start(contents) ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.findLast((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      const keyStart = start(pair.key) ?? deepest;
      if (last) return anchor === 'key' ? keyStart : (start(pair.value) ?? keyStart);
      deepest = keyStart;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      const itemStart = start(item);
      if (itemStart === undefined) break;
      if (last) return itemStart;
      deepest = itemStart;
      node = item;
    } else {
      break;
    }
  }
  return deepest;
}

/** The path of the map key that starts at `offset` (where the yaml parser reports a duplicate key). */
export function pathOfKeyAt(node: unknown, offset: number, path: Path = []): Path | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  for (const [index, item] of node.items.entries()) {
    if (isPair(item)) {
      const segment = keyText(item.key);
      if (start(item.key) === offset) return [...path, segment];
      const found = pathOfKeyAt(item.value, offset, [...path, segment]);
      if (found) return found;
    } else {
      const found = pathOfKeyAt(item, offset, [...path, index]);
      if (found) return found;
    }
  }
  return undefined;
}
