import { Listeners } from '../../internal/listeners.ts';
import type { Message } from '../../schemas/message.ts';

/**
 * A store's `onMessage` listeners, each for one recipient or for every message. Knows which
 * recipients anyone listens for, so a store that reads other replicas' messages reads only those.
 */
export class MessageListeners {
  readonly #all = new Listeners<Message>();
  readonly #byAgent = new Map<string, Listeners<Message>>();
  /** Listeners in `#byAgent`, all agents together. */
  #agentListeners = 0;

  /** How many listeners there are (callers skip building messages nobody reads). */
  get size(): number {
    return this.#all.size + this.#agentListeners;
  }

  /** Whether a listener would be called for a message to `agent`. */
  listensFor(agent: string): boolean {
    return this.#all.size > 0 || this.#byAgent.has(agent);
  }

  /** The recipients listened for; undefined when a listener takes every message (every agent). */
  agents(): string[] | undefined {
    return this.#all.size > 0 ? undefined : [...this.#byAgent.keys()];
  }

  /** Adds a listener for messages to `agent`, or for every message; returns the function that removes it. */
  add(listener: (message: Message) => void, agent?: string): () => void {
    if (agent === undefined) return this.#all.add(listener);
    let listeners = this.#byAgent.get(agent);
    if (!listeners) {
      listeners = new Listeners<Message>();
      this.#byAgent.set(agent, listeners);
    }
    const own = listeners;
    // A function added twice is one listener in a set: count it once, remove it once.
    const before = own.size;
    const remove = own.add(listener);
    this.#agentListeners += own.size - before;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const size = own.size;
      remove();
      if (this.#byAgent.get(agent) !== own) return;
      this.#agentListeners -= size - own.size;
      if (own.size === 0) this.#byAgent.delete(agent);
    };
  }

  /** Calls the listeners for `message.to` and those for every message. */
  emit(message: Message): void {
    this.#byAgent.get(message.to)?.emit(message);
    this.#all.emit(message);
  }

  /** Removes every listener. */
  clear(): void {
    this.#all.clear();
    this.#byAgent.clear();
    this.#agentListeners = 0;
  }
}
