import type { EnvOrigin } from './env-refs.ts';

// Kept beside the value rather than in it, so a Fleet stays exactly what its schema says.
const origins = new WeakMap<object, readonly EnvOrigin[]>();

/** Remembers which strings of a loaded fleet came from `${ENV_VAR}` references. */
export function rememberOrigins(fleet: object, list: readonly EnvOrigin[]): void {
  origins.set(fleet, list);
}

/** The environment references of a fleet loaded by `parseFleet` (none for any other object). */
export function originsOf(fleet: object): readonly EnvOrigin[] {
  return origins.get(fleet) ?? [];
}
