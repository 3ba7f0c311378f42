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

/** The report as GitHub-flavoured markdown: `##` sections, tables, cells escaped. */
export function formatReportMarkdown(report: FleetReport): string {
  const sections: [string, string[]][] = [
    [HEADINGS.targets, targetBlocks(report.targets)],
    [HEADINGS.deploys, deployBlocks(report.deploys)],
    [HEADINGS.bus, report.bus.length === 0 ? [EMPTY.bus] : report.bus.flatMap(busBlocks)],
    [HEADINGS.knowledge, report.knowledge.length === 0 ? [EMPTY.knowledge] : report.knowledge.flatMap(nodeBlocks)],
    [HEADINGS.problems, report.problems.length === 0 ? [EMPTY.problems] : [fenced(report.problems.map(formatProblem))]],
    [
      HEADINGS.gaps,
      report.gaps.length === 0
        ? [EMPTY.gaps]
        : [
            table(
              ['Source', 'Error'],
              report.gaps.map((gap) => [gap.source, gap.error]),
            ),
          ],
    ],
  ];
  const blocks = [`# ${inline(reportTitle(report))}`, inline(reportSummary(report))];
  for (const [heading, body] of sections) blocks.push(`## ${heading}`, ...body);
  return blocks.join('\n\n');
}

/** A cell's text: `|` escaped, line breaks folded, never empty (an empty cell reads as a gap). */
export function cell(text: string): string {
  const folded = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return folded === '' ? ' ' : folded;
}

/** Text outside a table on one line: line breaks folded. */
function inline(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- |').join('')}`, ...rows.map(line)].join('\n');
}

/** Lines in a fenced code block, the fence longer than any run of backticks in them. */
function fenced(lines: readonly string[]): string {
  const longest = Math.max(
    2,
    ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))),
  );
  const fence = '`'.repeat(longest + 1);
  return [fence, ...lines, fence].join('\n');
}

function targetBlocks(targets: readonly ReportTarget[]): string[] {
  if (targets.length === 0) return [EMPTY.targets];
  const rows = targets.map((target) => [
    `${target.id}${target.partial ? ' (partial)' : ''}`,
    target.host,
    target.state,
    formatUptime(target.uptime),
    humanDuration(target.downMs),
    String(target.incidents.length),
  ]);
  const blocks = [table(['Target', 'Host', 'State', 'Uptime', 'Down', 'Incidents'], rows)];
  if (targets.some((target) => target.partial)) {
    blocks.push("(partial): the monitor's history does not reach back to the period's start.");
  }
  const incidents = targets.flatMap((target) =>
    target.incidents.map((incident) => [
      target.id,
      formatTime(incident.start),
      incident.end === null ? 'still down' : formatTime(incident.end),
      humanDuration(incident.durationMs),
      incident.reason ?? '-',
    ]),
  );
  if (incidents.length > 0) {
    blocks.push('**Incidents**', table(['Target', 'Down at', 'Back at', 'Duration', 'Reason'], incidents));
  }
  return blocks;
}

function deployBlocks(deploys: readonly ReportDeploy[]): string[] {
  if (deploys.length === 0) return [EMPTY.deploys];
  const rows = deploys.map((deploy) => [
    deploy.id,
    formatTime(deploy.startedAt),
    deployWho(deploy),
    deploy.trigger,
    shortCommit(deploy.commit),
    deploy.status,
    deploy.durationMs === null ? '-' : humanDuration(deploy.durationMs),
    deploy.hosts.map(hostResult).join(', ') || '-',
    [...(deploy.message === null ? [] : [deploy.message]), ...deploy.problems].join('; ') || '-',
  ]);
  const header = ['Run', 'Started', 'Who', 'Trigger', 'Commit', 'Status', 'Took', 'Hosts', 'Message, problems'];
  return [table(header, rows)];
}

function busBlocks(bus: ReportBus): string[] {
  if (bus.error !== null) return [`**${inline(bus.target)}**: not read: ${inline(bus.error)}`];
  const note = bus.partial ? ' (partial: its audit trail does not reach back to the period start)' : '';
  if (bus.agents.length === 0) return [`**${inline(bus.target)}**${note}: no traffic and no backlog`];
  const rows = bus.agents.map((agent) => [
    agent.agent,
    String(agent.sent),
    String(agent.received),
    String(agent.acked),
    String(agent.deadLettered),
    String(agent.ready),
    String(agent.dead),
    agent.oldestReadyAgeSeconds === null ? '-' : humanDuration(agent.oldestReadyAgeSeconds * 1000),
  ]);
  const header = ['Agent', 'Sent', 'Received', 'Acked', 'Dead-lettered', 'Ready', 'Dead', 'Oldest ready'];
  return [`**${inline(bus.target)}**${note}`, table(header, rows)];
}

function nodeBlocks(node: ReportKnowledge): string[] {
  if (node.error !== null) return [`**${inline(node.target)}**: not read: ${inline(node.error)}`];
  const head = `**${inline(node.target)}** (node ${inline(node.nodeId ?? '?')}): ${plural(node.conflictsLost, 'conflict')} lost`;
  if (node.peers.length === 0) return [`${head}; no peers`];
  const rows = node.peers.map((peer) => [
    peer.peer,
    peer.lagFacts === null ? '-' : String(peer.lagFacts),
    peer.lagSeconds === null ? '-' : humanDuration(peer.lagSeconds * 1000),
    peer.lastSuccessAt === null ? 'never' : formatTime(peer.lastSuccessAt),
    String(peer.conflictsLost),
    peer.lastError ?? '-',
  ]);
  return [head, table(['Peer', 'Lag facts', 'Lag', 'Last success', 'Conflicts lost', 'Last error'], rows)];
}
