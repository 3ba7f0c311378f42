import type { QueueStats } from '@fleet/sdk';
import type { MessageStore } from '@fleet/sdk/stores';
import { Gauge, type Registry } from 'prom-client';

/** How long one stats snapshot serves scrapes: several gauges read it, so it is computed once per scrape. */
const SNAPSHOT_TTL_MS = 1000;

/**
 * Registers the queue gauges (ready, in-flight, delayed, dead, oldest ready age, per recipient)
 * on a server's registry. They are read from `store.stats()` at scrape time.
 */
export function registerBusMetrics(registry: Registry, store: MessageStore): void {
  let snapshot: { at: number; stats: Promise<QueueStats> } | undefined;
  const stats = () => {
    const now = Date.now();
    if (!snapshot || now - snapshot.at > SNAPSHOT_TTL_MS) snapshot = { at: now, stats: store.stats() };
    return snapshot.stats;
  };
  const gauge = (name: string, help: string, pick: (s: QueueStats['recipients'][number]) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['agent'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const recipient of (await stats()).recipients) {
          const value = pick(recipient);
          if (value !== null) this.set({ agent: recipient.agent }, value);
        }
      },
    });
  gauge('fleet_bus_ready_messages', 'Messages deliverable now, per recipient', (r) => r.ready);
  gauge('fleet_bus_inflight_messages', 'Messages leased and not yet acked, per recipient', (r) => r.inFlight);
  gauge('fleet_bus_delayed_messages', 'Messages waiting for their delivery time, per recipient', (r) => r.delayed);
  gauge('fleet_bus_dead_messages', 'Dead-lettered messages, per recipient', (r) => r.dead);
  gauge(
    'fleet_bus_oldest_ready_age_seconds',
    'Age of the oldest deliverable message, per recipient',
    (r) => r.oldestReadyAgeSeconds,
  );
}
