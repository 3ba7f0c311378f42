/**
 * Heading anchors as GitHub makes them (github-slugger): lower case, punctuation dropped, spaces
 * as `-`, and `-1`, `-2`, ... on repeats, so links into the reference work on GitHub.
 */
export class Slugger {
  readonly #seen = new Map<string, number>();

  /** The anchor of the next heading with this text. */
  slug(heading: string): string {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replaceAll(' ', '-');
    let slug = base;
    let count = this.#seen.get(base) ?? 0;
    while (this.#seen.has(slug)) slug = `${base}-${++count}`;
    this.#seen.set(base, count);
    this.#seen.set(slug, 0);
    return slug;
  }
}
