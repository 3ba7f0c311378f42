import type { HostResult } from '@fleet/sdk/deploy';

/**
 * What a plan would change (or a run changed), host by host: each step with changes, its changes'
 * summaries and unified diffs, and each step that cannot tell (`may change`). Empty hosts say so.
 */
export function formatChanges(hosts: readonly HostResult[]): string[] {
  const lines: string[] = [];
  for (const host of hosts) {
    const steps = host.phases.flatMap((phase) =>
      phase.steps.filter((step) => step.status === 'changed' || step.status === 'failed'),
    );
    lines.push(`${host.host}: ${steps.length === 0 ? 'no changes' : `${steps.length} step(s) to change`}`);
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
