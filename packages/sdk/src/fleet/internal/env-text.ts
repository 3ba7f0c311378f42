import { isMap, isPair, isScalar } from 'yaml';

const SECTIONS = ['services', 'wizards'];

/**
 * Gives the `env` values of services and wizards that YAML reads as numbers or booleans their
 * text as written, in place: an environment value is text, and `3.10`, `0027` or
 * `12345678901234567890` read as numbers would come back as `3.1`, `27` and `12345678901234567000`.
 */
export function keepEnvText(contents: unknown): void {
  if (!isMap(contents)) return;
  for (const section of contents.items) {
    if (!isScalar(section.key) || !SECTIONS.includes(section.key.value as string) || !isMap(section.value)) continue;
    for (const entry of section.value.items) {
      if (!isMap(entry.value)) continue;
      const env = entry.value.items.find((pair) => isScalar(pair.key) && pair.key.value === 'env')?.value;
      if (!isMap(env)) continue;
      for (const pair of env.items) {
        if (!isPair(pair) || !isScalar(pair.value)) continue;
        const scalar = pair.value;
        if (typeof scalar.value === 'number' || typeof scalar.value === 'boolean' || typeof scalar.value === 'bigint')
          scalar.value = scalar.source ?? String(scalar.value);
      }
    }
  }
}
