import type { TargetState } from '../schemas/monitor.ts';
import type { AlertSilence, AlertsSpec } from './alerts-spec.ts';
import type { AlertEngineMemory } from './internal/notified-ledger.ts';

/** A monitor target as the engine needs it. */
export interface AlertTarget {
  id: string;
  host: string;
  state: TargetState;
  /** When it entered `state` (ISO), if known. */
  since?: string | null;
}

/** Options of {@link AlertEngine}. */
export interface AlertEngineOptions {
  spec: AlertsSpec;
  /** Host groups by host name (`hosts.<name>.groups` of the fleet file). @default {} */
  hostGroups?: Readonly<Record<string, readonly string[]>>;
  /** The fleet's name, in every title. @default 'fleet' */
  fleet?: string;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** Silences besides the spec's, read at every check (e.g. those set with `fleet silence`). */
  silences?: () => readonly AlertSilence[];
  /**
   * Where the engine keeps what each rule last told its channels, so a restarted process neither
   * repeats a `down` nor misses the `recovered` of a target that came back meanwhile.
   * @default memory only
   */
  memory?: AlertEngineMemory;
}
