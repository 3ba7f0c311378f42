import { type EnvTemplatePart, envTemplateParts } from './internal/env-refs.ts';
import { originsOf } from './internal/origins.ts';
import type { Fleet } from './schema.ts';

/**
 * How the fleet file wrote the string at `path` when it referenced the environment: its literal
 * text and the variables of its `${NAME}` references, in order (`$${NAME}` stays the literal text
 * `${NAME}`). Undefined for a string without references, and for a fleet not returned by
 * `parseFleet`/`loadFleetFile`. The variables' values are in {@link fleetEnvironment}.
 *
 * @example envTemplateAt(fleet, ['wizards', 'scout', 'exec', 2]) // [{ variable: 'OPENAI_API_KEY' }]
 */
export function envTemplateAt(fleet: Fleet, path: readonly (string | number)[]): EnvTemplatePart[] | undefined {
  const origin = originsOf(fleet).find(
    (candidate) =>
      candidate.path.length === path.length && candidate.path.every((segment, index) => segment === path[index]),
  );
  return origin === undefined ? undefined : envTemplateParts(origin.template);
}
