import { formatProblem } from '../../fleet/format-problem.ts';
import type { FleetReport, ReportBus, ReportDeploy, ReportKnowledge, ReportTarget } from '../fleet-report.ts';
import {
  deployWho,
  EMPTY,
  formatTime,
  formatUptime,
  HEADINGS,
  hostResult,
  humanDuration,
  plural,
  reportSummary,
  reportTitle,
  shortCommit,
} from './format-units.ts';
import { type TextRow, textTable } from './text-table.ts';

/** The report as plain lines: sections under a heading line, aligned columns, no box drawing. */
export function formatReportText(report: FleetReport): string {
  const sections: [string, string[]][] = [
    [HEADINGS.targets, targetLines(report.targets)],
    [HEADINGS.deploys, deployLines(report.deploys)],
    [HEADINGS.bus, report.bus.length === 0 ? [`  ${EMPTY.bus}`] : report.bus.flatMap(busLines)],
    [
      HEADINGS.knowledge,
      report.knowledge.length === 0 ? [`  ${EMPTY.knowledge}`] : report.knowledge.flatMap(nodeLines),
    ],
    [HEADINGS.problems, listOr(report.problems.map(formatProblem), EMPTY.problems)],
    [
      HEADINGS.gaps,
      listOr(
        report.gaps.map((gap) => `${gap.source}: ${gap.error}`),
        EMPTY.gaps,
      ),
    ],
  ];
  const lines = [reportTitle(report), reportSummary(report)];
  for (const [heading, body] of sections) lines.push('', heading, ...body);
  return lines.join('\n');
}

function listOr(items: string[], empty: string): string[] {
  return (items.length === 0 ? [empty] : items).map((item) => `  ${item}`);
}

function targetLines(targets: readonly ReportTarget[]): string[] {
  if (targets.length === 0) return [`  ${EMPTY.targets}`];
  const rows = targets.map(
    (target): TextRow => ({
      cells: [
        target.id,
        target.host,
        target.state,
        formatUptime(target.uptime),
        humanDuration(target.downMs),
        String(target.incidents.length),
        target.partial ? 'partial' : '',
      ],
      details: target.incidents.map((incident) => {
        const end = incident.end === null ? ', still down' : ` to ${sameDayTime(incident.start, incident.end)}`;
        const reason = incident.reason === null ? '' : `: ${incident.reason}`;
        return `down ${formatTime(incident.start)}${end} (${humanDuration(incident.durationMs)})${reason}`;
      }),
    }),
  );
  const lines = textTable(['TARGET', 'HOST', 'STATE', 'UPTIME', 'DOWN', 'INCIDENTS'], rows);
  if (targets.some((target) => target.partial)) {
    lines.push("  partial: the monitor's history does not reach back to the period's start");
  }
  return lines;
}

/** `end` as a time, without its date when it is the day `start` is (`11:04:00 UTC`). */
function sameDayTime(start: string, end: string): string {
  const time = formatTime(end);
  return time.slice(0, 10) === formatTime(start).slice(0, 10) ? time.slice(11) : time;
}

function deployLines(deploys: readonly ReportDeploy[]): string[] {
  if (deploys.length === 0) return [`  ${EMPTY.deploys}`];
  const rows = deploys.map(
    (deploy): TextRow => ({
      cells: [
        deploy.id,
        formatTime(deploy.startedAt),
        deployWho(deploy),
        deploy.trigger,
        shortCommit(deploy.commit),
        deploy.status,
        deploy.durationMs === null ? '-' : humanDuration(deploy.durationMs),
      ],
      details: [
        ...(deploy.message === null ? [] : [`message: ${deploy.message}`]),
        ...(deploy.hosts.length === 0 ? [] : [`hosts: ${deploy.hosts.map(hostResult).join(', ')}`]),
        ...deploy.problems.map((problem) => `problem: ${problem}`),
      ],
    }),
  );
  return textTable(['RUN', 'STARTED', 'WHO', 'TRIGGER', 'COMMIT', 'STATUS', 'TOOK'], rows);
}

function busLines(bus: ReportBus): string[] {
  if (bus.error !== null) return [`  ${bus.target}: not read: ${bus.error}`];
  const note = bus.partial ? ' (partial: its audit trail does not reach back to the period start)' : '';
  if (bus.agents.length === 0) return [`  ${bus.target}${note}: no traffic and no backlog`];
  const rows = bus.agents.map(
    (agent): TextRow => ({
      cells: [
        agent.agent,
        String(agent.sent),
        String(agent.received),
        String(agent.acked),
        String(agent.deadLettered),
        String(agent.ready),
        String(agent.dead),
        agent.oldestReadyAgeSeconds === null ? '-' : humanDuration(agent.oldestReadyAgeSeconds * 1000),
      ],
    }),
  );
  const header = ['AGENT', 'SENT', 'RECEIVED', 'ACKED', 'DEAD-LETTERED', 'READY', 'DEAD', 'OLDEST READY'];
  return [`  ${bus.target}${note}`, ...textTable(header, rows, '    ')];
}

function nodeLines(node: ReportKnowledge): string[] {
  if (node.error !== null) return [`  ${node.target}: not read: ${node.error}`];
  const head = `  ${node.target} (node ${node.nodeId ?? '?'}): ${plural(node.conflictsLost, 'conflict')} lost`;
  if (node.peers.length === 0) return [head, '    no peers'];
  const rows = node.peers.map(
    (peer): TextRow => ({
      cells: [
        peer.peer,
        peer.lagFacts === null ? '-' : String(peer.lagFacts),
        peer.lagSeconds === null ? '-' : humanDuration(peer.lagSeconds * 1000),
        peer.lastSuccessAt === null ? 'never' : formatTime(peer.lastSuccessAt),
        String(peer.conflictsLost),
      ],
      ...(peer.lastError === null ? {} : { details: [`last error: ${peer.lastError}`] }),
    }),
  );
  return [head, ...textTable(['PEER', 'LAG FACTS', 'LAG', 'LAST SUCCESS', 'CONFLICTS LOST'], rows, '    ')];
}
