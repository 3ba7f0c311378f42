import { type FleetStatus, TargetState, type TargetStatus } from '@fleet/sdk';
import { formatBacklog, formatTable } from '@fleet/sdk/cli';
import { formatProblem, truncatedPercent } from '@fleet/sdk/fleet';

/** Uptime as the dashboard and the report show it: short of perfect never reads 100%. */
const percent = (fraction: number | null) => (fraction === null ? '-' : `${truncatedPercent(fraction)}%`);
const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)} ms`);

function targetRows(targets: readonly TargetStatus[]): string[][] {
  return targets.map((target) => [
    target.id,
    target.kind,
    target.state,
    target.since ?? '-',
    ms(target.lastResponseTimeMs),
    percent(target.uptime['24h']),
    target.lastError ?? '-',
  ]);
}

function busLines(status: FleetStatus): string[] {
  return status.bus.flatMap((backlog) => {
    const head = `bus backlog: ${backlog.target}${backlog.error ? ` (last read failed: ${backlog.error})` : ''}`;
    return ['', head, ...formatBacklog(backlog).map((line) => `  ${line}`)];
  });
}

function knowledgeLines(status: FleetStatus): string[] {
  return status.knowledge.flatMap((sync) => {
    const node = sync.nodeId ? ` (node ${sync.nodeId})` : '';
    const head = `knowledge sync: ${sync.target}${node}${sync.error ? ` (last read failed: ${sync.error})` : ''}`;
    if (sync.peers.length === 0) return ['', head, '  no peers'];
    const rows = sync.peers.map((peer) => [
      peer.peer,
      String(peer.lagFacts),
      peer.lagSeconds === null ? '-' : `${peer.lagSeconds.toFixed(1)} s`,
      peer.lastSuccessAt ?? '-',
      peer.lastError ?? '-',
    ]);
    const table = formatTable([['PEER', 'LAG (FACTS)', 'LAG (TIME)', 'LAST SUCCESS', 'LAST ERROR'], ...rows]);
    return ['', head, ...table.map((line) => `  ${line}`)];
  });
}

/**
 * The lines `fleet status` prints: a summary with the count per state, the fleet file's problems,
 * a table of targets per host, then the bus backlogs and the knowledge sync lag.
 */
export function formatFleetStatus(status: FleetStatus): string[] {
  const counts = TargetState.options.map((state) => `${status.counts[state] ?? 0} ${state}`).join(', ');
  const lines = [`${status.file ?? 'fleet'} at ${status.generatedAt}: ${counts}`];
  lines.push(...status.problems.map(formatProblem));
  for (const host of status.hosts) {
    const table = formatTable([
      ['TARGET', 'KIND', 'STATE', 'SINCE', 'TIME', 'UPTIME 24H', 'ERROR'],
      ...targetRows(host.targets),
    ]);
    lines.push('', `${host.name} (${host.address})`, ...table.map((line) => `  ${line}`));
  }
  return [...lines, ...busLines(status), ...knowledgeLines(status)];
}
