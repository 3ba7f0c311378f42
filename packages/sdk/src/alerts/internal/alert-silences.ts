import type { AlertSilence, AlertsSpec } from '../alerts-spec.ts';
import { coversHost, coversTarget, type HostGroups, silenceActive, unrestricted } from './selectors.ts';

/**
 * The silences `AlertEngine` checks: the spec's and the extra ones (those set with
 * `fleet silence`), read anew by {@link load} at every check, and whether one covers a subject.
 */
export class AlertSilences {
  readonly #spec: AlertsSpec;
  readonly #extra: (() => readonly AlertSilence[]) | undefined;
  readonly #groups: HostGroups;
  #silences: readonly AlertSilence[] = [];

  constructor(spec: AlertsSpec, extra: (() => readonly AlertSilence[]) | undefined, groups: HostGroups) {
    this.#spec = spec;
    this.#extra = extra;
    this.#groups = groups;
  }

  /** Reads the silences anew: the spec's, then the extra ones. */
  load(): void {
    this.#silences = [...this.#spec.silences, ...(this.#extra?.() ?? [])];
  }

  /** Whether a silence in force at `now` covers the target `id` on `host`. */
  targetSilenced(target: { id: string; host: string }, now: number): boolean {
    return this.#silences.some(
      (silence) => silenceActive(silence, now) && coversTarget(silence, target.id, target.host, this.#groups),
    );
  }

  /** Whether a silence in force at `now` names nothing, so it covers everything (a fleet-wide silence). */
  everythingSilenced(now: number): boolean {
    return this.#silences.some((silence) => silenceActive(silence, now) && unrestricted(silence));
  }

  /** Whether a silence in force at `now` covers `host`. */
  hostSilenced(host: string, now: number): boolean {
    return this.#silences.some((silence) => silenceActive(silence, now) && coversHost(silence, host, this.#groups));
  }
}
