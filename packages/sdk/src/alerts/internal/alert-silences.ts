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

  /**
   * Whether something that befell `host` as a whole (a deploy that failed there) is silenced at
   * `now`: a silence covers the host, or silences cover every one of the `targets` running on it
   * (one or more), so nothing that runs there is left to alert about.
   */
  hostOrItsTargetsSilenced(host: string, targets: readonly string[], now: number): boolean {
    if (this.hostSilenced(host, now)) return true;
    return targets.length > 0 && targets.every((id) => this.targetSilenced({ id, host }, now));
  }
}
