import { type Document, isAlias, isMap, isPair, isScalar } from 'yaml';

const SECTIONS = ['services', 'wizards'] as const;

/** An `env` value of a service or wizard, by where it sits, and its text as written. */
export interface EnvText {
  section: (typeof SECTIONS)[number];
  entry: string;
  name: string;
  text: string;
}

/** The text as written of a scalar YAML reads as a number or a boolean; undefined for any other node. */
function writtenText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const { value } = node;
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') return undefined;
  return node.source ?? String(value);
}

/**
 * The `env` values of services and wizards that YAML reads as numbers or booleans (directly or
 * through an alias), with their text as written: an environment value is text, and `3.10`,
 * `0027` or `12345678901234567890` read as numbers would come back as `3.1`, `27` and
 * `12345678901234567000`. The document is not changed, so an anchored number used elsewhere
 * (`PORT: &p 9001` and `port: *p`) stays a number there; {@link applyEnvTexts} puts the texts
 * into the plain objects.
 */
export function envTextsOf(doc: Document): EnvText[] {
  const found: EnvText[] = [];
  const contents = doc.contents;
  if (!isMap(contents)) return found;
  for (const section of contents.items) {
    const sectionName = isScalar(section.key) ? section.key.value : undefined;
    const known = SECTIONS.find((name) => name === sectionName);
    if (!known || !isMap(section.value)) continue;
    for (const entry of section.value.items) {
      if (!isMap(entry.value)) continue;
      const env = entry.value.items.find((pair) => isScalar(pair.key) && pair.key.value === 'env')?.value;
      if (!isMap(env)) continue;
      for (const pair of env.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const text = writtenText(isAlias(pair.value) ? pair.value.resolve(doc) : pair.value);
        if (text === undefined) continue;
        const entryName = String((entry.key as { value?: unknown } | null)?.value);
        found.push({ section: known, entry: entryName, name: String(pair.key.value), text });
      }
    }
  }
  return found;
}

/** Puts each {@link EnvText} into `tree`, the document as plain objects, where it is still there. */
export function applyEnvTexts(tree: unknown, texts: readonly EnvText[]): void {
  for (const { section, entry, name, text } of texts) {
    const entries = (tree as Record<string, unknown> | null)?.[section] as Record<string, unknown> | undefined;
    const env = (entries?.[entry] as Record<string, unknown> | undefined)?.env as Record<string, unknown> | undefined;
    if (env && typeof env === 'object' && Object.hasOwn(env, name)) env[name] = text;
  }
}
