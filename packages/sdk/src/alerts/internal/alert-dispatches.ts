import type { AlertMessage } from '../alert-message.ts';
import type { AlertRule } from '../alerts-spec.ts';
import { type AlertFacts, alertMessage } from './alert-text.ts';

/** One alert and the channels it goes to. */
export interface AlertDispatch {
  message: AlertMessage;
  channels: string[];
}

/** The alerts of one pass: one message per subject and kind, to the union of the rules' channels. */
export class Dispatches {
  readonly #byKey = new Map<string, { facts: AlertFacts; channels: Set<string> }>();

  constructor(
    private readonly now: number,
    private readonly fleet: string | undefined,
  ) {}

  add(rule: AlertRule, facts: AlertFacts): void {
    const key = `${facts.kind} ${facts.headline}`;
    const entry = this.#byKey.get(key) ?? { facts, channels: new Set<string>() };
    for (const channel of rule.channels) entry.channels.add(channel);
    this.#byKey.set(key, entry);
  }

  list(): AlertDispatch[] {
    return [...this.#byKey.values()].map(({ facts, channels }) => ({
      message: alertMessage(facts, this.now, this.fleet),
      channels: [...channels],
    }));
  }
}
