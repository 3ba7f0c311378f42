/** Orders strings by UTF-16 code units, as `<` does: the order the in-memory store lists names and ids in. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
