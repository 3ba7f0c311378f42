import type { Executor, PathInfo } from '../executor.ts';

/** `stat` as every executor answers it: a probe of the one path. */
export async function statByProbe(executor: Pick<Executor, 'probe'>, path: string): Promise<PathInfo> {
  const [info] = await executor.probe([{ path }]);
  return info!;
}

/** `readFile` as every executor answers it: a probe of the one path with its whole content. */
export async function readFileByProbe(executor: Pick<Executor, 'probe'>, path: string): Promise<string | undefined> {
  const [info] = await executor.probe([{ path, content: true, maxBytes: Number.MAX_SAFE_INTEGER }]);
  return info?.exists === true ? info.content : undefined;
}
