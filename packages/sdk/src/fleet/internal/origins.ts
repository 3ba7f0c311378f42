import type { EnvOrigin } from './env-refs.ts';

/** Which strings of a loaded fleet came from `${ENV_VAR}` references, and the variables used. */
export interface FleetOrigins {
  origins: readonly EnvOrigin[];
  variables: Readonly<Record<string, string>>;
}

// Kept beside the value rather than in it, so a Fleet stays exactly what its schema says.
const origins = new WeakMap<object, FleetOrigins>();

/** Remembers which strings of a loaded fleet came from `${ENV_VAR}` references, and their variables. */
export function rememberOrigins(
  fleet: object,
  list: readonly EnvOrigin[],
  variables: Record<string, string> = {},
): void {
  origins.set(fleet, { origins: list, variables });
}

/** The environment references of a fleet loaded by `parseFleet` (none for any other object). */
export function originsOf(fleet: object): readonly EnvOrigin[] {
  return origins.get(fleet)?.origins ?? [];
}

/** The environment variables a fleet loaded by `parseFleet` referenced, with their values. */
export function variablesOf(fleet: object): Readonly<Record<string, string>> {
  return origins.get(fleet)?.variables ?? {};
}
