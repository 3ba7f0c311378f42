import type { HostResult } from '@fleet/sdk/deploy';

/**
 * What a plan would change (or a run changed), host by host: each step with changes, its changes'
 * summaries and unified diffs, and each step that cannot tell (`may change`). A host's line counts
 * the steps to change apart from those that failed; empty hosts say so, and so does a host the
 * deployer could not work on at all (never reached: what would change is unknown).
 */
export function formatChanges(hosts: readonly HostResult[]): string[] {
  const lines: string[] = [];
  for (const host of hosts) {
    const unworked = notWorkedOn(host);
    if (unworked !== undefined) {
      lines.push(`${host.host}: ${unworked}`);
      continue;
    }
    const steps = host.phases.flatMap((phase) =>
      phase.steps.filter((step) => step.status === 'changed' || step.status === 'failed'),
    );
    lines.push(`${host.host}: ${summary(steps)}`);
    for (const step of steps) {
      lines.push(
        `  ${step.phase} / ${step.step}${step.mayChange ? ' (may change: its check cannot tell)' : ''}${step.status === 'failed' ? ` FAILED: ${step.error ?? ''}` : ''}`,
      );
      for (const change of step.changes) {
        lines.push(`    ${change.action} ${change.target}${change.summary ? `: ${change.summary}` : ''}`);
        if (change.diff)
          lines.push(
            ...change.diff
              .trimEnd()
              .split('\n')
              .map((line) => `      ${line}`),
          );
      }
    }
    const handlers = host.phases.flatMap((phase) => phase.handlers.filter((handler) => handler.status !== 'ok'));
    for (const handler of handlers)
      lines.push(`  ${handler.phase} / ${handler.handler} (handler, notified by ${handler.notifiedBy.join(', ')})`);
  }
  return lines;
}

/**
 * Why the deployer could not work on a host at all, when that is all its result holds: its only
 * step is the failed `connect` one the deployer records for a host it never reached (or whose
 * rollback broke off), not a step with changes.
 */
function notWorkedOn(host: HostResult): string | undefined {
  const steps = host.phases.flatMap((phase) => phase.steps);
  const [step] = steps;
  if (steps.length !== 1 || step === undefined || step.kind !== 'connect' || step.status !== 'failed') return undefined;
  const error = step.error ?? 'failed';
  return step.phase === 'rollback' ? `rollback failed: ${error}` : `could not be reached: ${error}`;
}

/** A host's line: how many steps change and how many failed (a failed step is no change). */
function summary(steps: readonly { status: string }[]): string {
  const failed = steps.filter((step) => step.status === 'failed').length;
  const changed = steps.length - failed;
  if (steps.length === 0) return 'no changes';
  const parts = [...(changed > 0 ? [`${changed} step(s) to change`] : []), ...(failed > 0 ? [`${failed} failed`] : [])];
  return changed > 0 ? parts.join(', ') : `${failed} step(s) failed`;
}
