import type { QueuedJob } from './queue-state.ts';

/** Notes a Map's entries, in order; the function returned puts them back. */
export function restoreMap<K, V>(map: Map<K, V>): () => void {
  const entries = [...map];
  return () => {
    map.clear();
    for (const [key, value] of entries) map.set(key, value);
  };
}

/** Notes an array's items; the function returned puts them back. */
export function restoreArray<T>(array: T[]): () => void {
  const items = [...array];
  return () => {
    array.length = 0;
    for (const item of items) array.push(item);
  };
}

/** Notes what an offer changes in a job (its status, its deliveries); the function returned puts it back. */
export function restoreJob(job: QueuedJob): () => void {
  const { status } = job;
  const deliveries = job.deliveries.length;
  return () => {
    job.status = status;
    job.deliveries.length = deliveries;
  };
}
