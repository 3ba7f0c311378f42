import type { Executor, PathInfo, ProbeRequest } from '../executor.ts';

function merge(requests: readonly ProbeRequest[]): ProbeRequest[] {
  const byPath = new Map<string, ProbeRequest>();
  for (const request of requests) {
    const known = byPath.get(request.path);
    if (known === undefined) byPath.set(request.path, { ...request });
    else if (request.content === true) {
      known.content = true;
      if (request.maxBytes !== undefined) known.maxBytes = Math.max(known.maxBytes ?? 0, request.maxBytes);
    }
  }
  return [...byPath.values()];
}

/**
 * The facts of a phase: the first question probes every path the phase's remaining steps declared,
 * in one executor call. After a step changes the host the cache is cleared, and the next question
 * probes the remaining steps' paths again, so no check reads stale facts.
 */
export class FactCache {
  readonly #executor: Executor;
  #facts = new Map<string, { info: PathInfo; withContent: boolean }>();
  /** What the steps still to run declared. */
  upcoming: readonly ProbeRequest[] = [];

  constructor(executor: Executor) {
    this.#executor = executor;
  }

  clear(): void {
    this.#facts.clear();
  }

  async fact(request: ProbeRequest): Promise<PathInfo> {
    const known = this.#facts.get(request.path);
    if (known !== undefined && (known.withContent || request.content !== true)) return known.info;
    const batch = merge([request, ...this.upcoming.filter((item) => !this.#facts.has(item.path))]);
    const infos = await this.#executor.probe(batch);
    batch.forEach((item, index) => {
      const info = infos[index];
      if (info !== undefined) this.#facts.set(item.path, { info, withContent: item.content === true });
    });
    return this.#facts.get(request.path)?.info ?? { path: request.path, exists: false };
  }
}
