import type { DeployRun } from '../../src/deploy/history/deploy-run.ts';
import type { HostResult } from '../../src/deploy/host-result.ts';

/** A finished run with the given host results, started at `2026-12-05T14:30:0<n>Z`. */
export function deployRun(id: string, hosts: HostResult[] = [], extra: Partial<DeployRun> = {}): DeployRun {
  return {
    id,
    trigger: 'cli',
    user: 'alice',
    from: 'laptop',
    commit: 'abc1234',
    mode: 'apply',
    startedAt: '2026-12-05T14:30:00.000Z',
    finishedAt: '2026-12-05T14:30:09.000Z',
    durationMs: 9000,
    status: 'ok',
    hosts,
    ...extra,
  };
}
