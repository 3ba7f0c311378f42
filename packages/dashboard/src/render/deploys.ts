import type { DashboardDeployHost, DashboardDeployRun, DashboardDeploys } from '@fleet/sdk';
import { formatMs, formatTime } from './internal/format.ts';
import { html } from './internal/html.ts';

function hostLine(host: DashboardDeployHost) {
  const where = [host.phase, host.step].filter(Boolean).join(' · ');
  return html`<li class="deploy-host" data-host="${host.host}" data-status="${host.status}"><code>${host.host}</code> <span class="deploy-status">${host.status}</span>${where ? html` <span class="muted">${where}</span>` : ''}${host.durationMs === undefined ? '' : html` <span class="muted">${formatMs(host.durationMs)}</span>`}${host.rollback ? html` <span class="deploy-rollback">rollback ${host.rollback}</span>` : ''}</li>`;
}

function runCard(run: DashboardDeployRun, heading: string) {
  const what = [run.trigger, run.commit ? `commit ${run.commit}` : '', run.user ? `by ${run.user}` : '']
    .filter(Boolean)
    .join(' · ');
  const problems = run.problems.map((problem) => html`<li>${problem}</li>`);
  return html`<section class="deploy deploy-${run.status}" data-run="${run.id}" data-status="${run.status}"><h2>${heading} <code>${run.id}</code></h2><p class="muted">${what} · started <time datetime="${run.startedAt}">${formatTime(run.startedAt)}</time>${run.durationMs === undefined ? '' : ` · ${formatMs(run.durationMs)}`}</p><ul class="deploy-hosts">${run.hosts.map(hostLine)}</ul>${problems.length > 0 ? html`<ul class="deploy-problems">${problems}</ul>` : ''}</section>`;
}

/**
 * The deploys part of the overview, `<div id="deploys">`: the runs going on now, live (each
 * host's status, phase and step), and the last apply run when it failed, until a good one
 * finished after it. Empty and hidden when there is neither.
 *
 * @example
 * renderDeploys(deployLog.deploys(5))
 */
export function renderDeploys(deploys: DashboardDeploys): string {
  const running = deploys.runs.filter((run) => run.status === 'running');
  if (running.length === 0 && !deploys.failed) return html`<div id="deploys" data-count="0" hidden></div>`.value;
  const cards = [
    ...(deploys.failed ? [runCard(deploys.failed, 'Deploy failed')] : []),
    ...running.map((run) => runCard(run, run.mode === 'plan' ? 'Planning' : 'Deploying')),
  ];
  return html`<div id="deploys" data-count="${cards.length}">${cards}</div>`.value;
}
