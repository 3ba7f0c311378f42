import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { FleetReport } from '../../src/report/fleet-report.ts';
import { formatFleetReport } from '../../src/report/format-report.ts';

type FleetReportInput = z.input<typeof FleetReport>;

const full: FleetReport = FleetReport.parse({
  fleet: 'prod',
  generatedAt: '2026-12-05T17:00:00.000Z',
  since: '2026-12-04T17:00:00.000Z',
  until: '2026-12-05T17:00:00.000Z',
  targets: [
    {
      id: 'bus',
      kind: 'bus',
      host: 'local',
      state: 'up',
      uptime: 1,
      checks: 2880,
      downMs: 0,
      degradedMs: 0,
      incidents: [],
      partial: false,
    },
    {
      id: 'ghost',
      kind: 'wizard',
      host: 'spare',
      state: 'down',
      uptime: 0.95123,
      checks: 2880,
      downMs: 3_840_000 + 725_000,
      degradedMs: 0,
      incidents: [
        {
          start: '2026-12-05T10:00:00.000Z',
          end: '2026-12-05T11:04:00.000Z',
          durationMs: 3_840_000,
          reason: 'connect ECONNREFUSED 127.0.0.1:9',
        },
        { start: '2026-12-05T16:47:55.000Z', end: null, durationMs: 725_000, reason: 'status == 200 (got 503)' },
      ],
      partial: false,
    },
    {
      id: 'scribe',
      kind: 'wizard',
      host: 'spare',
      state: 'unknown',
      uptime: null,
      checks: 0,
      downMs: 0,
      degradedMs: 0,
      incidents: [],
      partial: true,
    },
  ],
  deploys: [
    {
      id: 'r-2',
      trigger: 'webhook',
      user: 'alice',
      from: 'laptop',
      commit: '0123456789abcdef0123456789abcdef01234567',
      message: 'fix bus',
      status: 'failed',
      startedAt: '2026-12-05T12:00:00.000Z',
      durationMs: 125_000,
      hosts: [
        { host: 'ezra', status: 'failed', rollback: 'ok' },
        { host: 'local', status: 'ok', rollback: null },
      ],
      problems: ['health gate failed on ezra: bus not up after 30s'],
    },
    {
      id: 'r-1',
      trigger: 'cli',
      user: null,
      from: null,
      commit: null,
      message: null,
      status: 'changed',
      startedAt: '2026-12-05T09:00:00.000Z',
      durationMs: 45_000,
      hosts: [{ host: 'local', status: 'changed', rollback: null }],
      problems: [],
    },
  ],
  bus: [
    {
      target: 'bus',
      error: null,
      partial: true,
      agents: [
        {
          agent: 'scout',
          sent: 3,
          received: 0,
          acked: 0,
          deadLettered: 0,
          ready: 0,
          dead: 0,
          oldestReadyAgeSeconds: null,
        },
        {
          agent: 'worker',
          sent: 0,
          received: 3,
          acked: 1,
          deadLettered: 1,
          ready: 1,
          dead: 1,
          oldestReadyAgeSeconds: 725,
        },
      ],
    },
    { target: 'bus-2', error: 'connect ECONNREFUSED 127.0.0.1:8651', partial: false, agents: [] },
  ],
  knowledge: [
    {
      target: 'knowledge',
      error: null,
      nodeId: 'node-a',
      conflictsLost: 2,
      peers: [
        {
          peer: 'node-b',
          lagFacts: 12,
          lagSeconds: 3_840,
          lastSuccessAt: '2026-12-05T15:56:00.000Z',
          lastError: 'fetch failed',
          conflictsLost: 2,
        },
        { peer: 'node-c', lagFacts: 0, lagSeconds: 0, lastSuccessAt: null, lastError: null, conflictsLost: 0 },
      ],
    },
  ],
  problems: [
    {
      file: 'fleet.yaml',
      line: 12,
      column: 5,
      path: 'wizards.ghost.port',
      message: 'port 9 is also used by bus',
      severity: 'warning',
    },
  ],
  gaps: [{ source: 'bus bus-2', error: 'connect ECONNREFUSED 127.0.0.1:8651' }],
} satisfies FleetReportInput);

const empty: FleetReport = FleetReport.parse({
  fleet: null,
  generatedAt: '2026-12-05T17:00:00.000Z',
  since: '2026-11-28T17:00:00.000Z',
  until: '2026-12-05T17:00:00.000Z',
  targets: [],
  deploys: [],
  bus: [],
  knowledge: [],
  problems: [],
  gaps: [],
} satisfies FleetReportInput);

/** The lines of `text` from the line `heading` to the next blank line. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `no "${heading}" in:\n${text}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

describe('formatFleetReport as text', () => {
  const text = formatFleetReport(full, 'text');

  test('opens with the title, the period and a one-line summary', () => {
    const [title, summary] = text.split('\n');
    expect(title).toBe('Fleet report: prod, 2026-12-04 17:00 UTC to 2026-12-05 17:00 UTC (24h)');
    expect(summary).toBe('1/3 targets up now; 2 incidents; deploys 1 ok, 1 failed; 1 dead letter; 1 source not read');
  });

  test('has every section in order', () => {
    const headings = ['Targets', 'Deploys', 'Bus traffic', 'Knowledge sync', 'Fleet file problems', 'Gaps'];
    const at = headings.map((heading) => text.split('\n').indexOf(heading));
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  test('shows an uptime of 57 good probes in 100 as 57.00%, and one just short of perfect below 100%', () => {
    const uptimes = [0.57, 99_999 / 100_000].map(
      (uptime) =>
        section(formatFleetReport({ ...full, targets: [{ ...full.targets[0]!, uptime }] }, 'text'), 'Targets')[1],
    );
    expect(uptimes[0]).toMatch(/^ {2}bus\s+local\s+up\s+57\.00%\s/);
    expect(uptimes[1]).toMatch(/^ {2}bus\s+local\s+up\s+99\.99%\s/);
  });

  test('lists targets with uptime, down time and each incident, ongoing ones as still down', () => {
    const lines = section(text, 'Targets');
    expect(lines[0]).toMatch(/^ {2}TARGET\s+HOST\s+STATE\s+UPTIME\s+DOWN\s+INCIDENTS$/);
    expect(lines[1]).toMatch(/^ {2}bus\s+local\s+up\s+100\.00%\s+0s\s+0$/);
    expect(lines[2]).toMatch(/^ {2}ghost\s+spare\s+down\s+95\.12%\s+1h 16m\s+2$/);
    expect(lines[3]).toBe('    down 2026-12-05 10:00:00 UTC to 11:04:00 UTC (1h 4m): connect ECONNREFUSED 127.0.0.1:9');
    expect(lines[4]).toBe('    down 2026-12-05 16:47:55 UTC, still down (12m 5s): status == 200 (got 503)');
    expect(lines[5]).toMatch(/^ {2}scribe\s+spare\s+unknown\s+n\/a\s+0s\s+0\s+partial$/);
    expect(lines.at(-1)).toMatch(/^ {2}partial: /);
    // Columns line up: every row starts its host at the same column.
    expect(new Set([lines[1], lines[2], lines[5]].map((line) => line?.search(/local|spare/))).size).toBe(1);
  });

  test('lists deploys with who, trigger, short commit, status, duration, hosts and problems', () => {
    const lines = section(text, 'Deploys');
    expect(lines[1]).toMatch(/^ {2}r-2\s+2026-12-05 12:00:00 UTC\s+alice@laptop\s+webhook\s+0123456\s+failed\s+2m 5s$/);
    expect(lines).toContain('    message: fix bus');
    expect(lines).toContain('    hosts: ezra failed (rollback ok), local ok');
    expect(lines).toContain('    problem: health gate failed on ezra: bus not up after 30s');
    expect(lines.find((line) => line.startsWith('  r-1'))).toMatch(
      /^ {2}r-1\s+\S+ \S+ UTC\s+-\s+cli\s+-\s+changed\s+45s$/,
    );
  });

  test('shows bus traffic per agent, notes a partial audit trail and a bus that was not read', () => {
    const lines = section(text, 'Bus traffic');
    expect(lines[0]).toBe('  bus (partial: its audit trail does not reach back to the period start)');
    expect(lines[1]).toMatch(/^ {4}AGENT\s+SENT\s+RECEIVED\s+ACKED\s+DEAD-LETTERED\s+READY\s+DEAD\s+OLDEST READY$/);
    expect(lines[2]).toMatch(/^ {4}scout\s+3\s+0\s+0\s+0\s+0\s+0\s+-$/);
    expect(lines[3]).toMatch(/^ {4}worker\s+0\s+3\s+1\s+1\s+1\s+1\s+12m 5s$/);
    expect(lines).toContain('  bus-2: not read: connect ECONNREFUSED 127.0.0.1:8651');
  });

  test('shows knowledge sync per peer with lag, last success and the last error', () => {
    const lines = section(text, 'Knowledge sync');
    expect(lines[0]).toBe('  knowledge (node node-a): 2 conflicts lost');
    expect(lines[2]).toMatch(/^ {4}node-b\s+12\s+1h 4m\s+2026-12-05 15:56:00 UTC\s+2$/);
    expect(lines[3]).toBe('      last error: fetch failed');
    expect(lines[4]).toMatch(/^ {4}node-c\s+0\s+0s\s+never\s+0$/);
  });

  test('writes fleet file problems like formatProblem and names the gaps', () => {
    expect(section(text, 'Fleet file problems')).toEqual([
      '  fleet.yaml:12:5 warning: wizards.ghost.port: port 9 is also used by bus',
    ]);
    expect(section(text, 'Gaps')).toEqual(['  bus bus-2: connect ECONNREFUSED 127.0.0.1:8651']);
  });

  test('stays within 100 columns for a typical report', () => {
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(text).not.toMatch(/[─│┌┐└┘├┤┬┴┼]/);
  });
});

describe('formatFleetReport of an empty report', () => {
  test('says so in one line per section, in both formats', () => {
    const text = formatFleetReport(empty, 'text');
    expect(text.split('\n')[0]).toBe('Fleet report: fleet, 2026-11-28 17:00 UTC to 2026-12-05 17:00 UTC (7d)');
    expect(text.split('\n')[1]).toBe('0/0 targets up now; 0 incidents; deploys 0 ok, 0 failed; 0 dead letters');
    expect(section(text, 'Targets')).toEqual(['  No targets in the report.']);
    expect(section(text, 'Deploys')).toEqual(['  No deploys in the period.']);
    expect(section(text, 'Bus traffic')).toEqual(['  No bus services in the report.']);
    expect(section(text, 'Knowledge sync')).toEqual(['  No knowledge services in the report.']);
    expect(section(text, 'Fleet file problems')).toEqual(['  No fleet file problems.']);
    expect(section(text, 'Gaps')).toEqual(['  No gaps: every source was read.']);

    const markdown = formatFleetReport(empty, 'markdown');
    expect(markdown).toContain('## Deploys\n\nNo deploys in the period.');
    expect(markdown).toContain('## Gaps\n\nNo gaps: every source was read.');
    expect(markdown).not.toContain('|');
  });
});

describe('formatFleetReport as markdown', () => {
  const markdown = formatFleetReport(full, 'markdown');

  test('has a title, the summary and ## sections in order', () => {
    const blocks = markdown.split('\n\n');
    expect(blocks[0]).toBe('# Fleet report: prod, 2026-12-04 17:00 UTC to 2026-12-05 17:00 UTC (24h)');
    expect(blocks[1]).toMatch(/^1\/3 targets up now; 2 incidents;/);
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Targets',
      '## Deploys',
      '## Bus traffic',
      '## Knowledge sync',
      '## Fleet file problems',
      '## Gaps',
    ]);
  });

  test('writes GitHub tables whose rows have as many cells as the header', () => {
    const tables = markdown.split('\n\n').filter((block) => block.startsWith('| '));
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const table of tables) {
      const [header, rule, ...rows] = table.split('\n');
      const cells = (line: string) => line.split(/(?<!\\)\|/).length;
      expect(rule).toMatch(/^\|( --- \|)+$/);
      for (const row of rows) expect(cells(row), row).toBe(cells(header!));
    }
  });

  test('lists incidents, deploys, traffic and sync in tables', () => {
    expect(markdown).toContain('| ghost | spare | down | 95.12% | 1h 16m | 2 |');
    expect(markdown).toContain('| ghost | 2026-12-05 16:47:55 UTC | still down | 12m 5s | status == 200 (got 503) |');
    expect(markdown).toContain('| scribe (partial) | spare | unknown | n/a | 0s | 0 |');
    expect(markdown).toContain(
      '| r-2 | 2026-12-05 12:00:00 UTC | alice@laptop | webhook | 0123456 | failed | 2m 5s | ezra failed (rollback ok), local ok | fix bus; health gate failed on ezra: bus not up after 30s |',
    );
    expect(markdown).toContain('**bus** (partial: its audit trail does not reach back to the period start)');
    expect(markdown).toContain('| worker | 0 | 3 | 1 | 1 | 1 | 1 | 12m 5s |');
    expect(markdown).toContain('| node-b | 12 | 1h 4m | 2026-12-05 15:56:00 UTC | 2 | fetch failed |');
    expect(markdown).toContain('```\nfleet.yaml:12:5 warning: wizards.ghost.port: port 9 is also used by bus\n```');
    expect(markdown).toContain('| bus bus-2 | connect ECONNREFUSED 127.0.0.1:8651 |');
  });

  test('escapes | and folds line breaks in cells', () => {
    const report = FleetReport.parse({
      ...full,
      targets: [
        {
          ...full.targets[1]!,
          incidents: [{ start: full.since, end: null, durationMs: 1000, reason: 'body.status == "a|b"\nsecond line' }],
        },
      ],
      gaps: [{ source: 'bus|x', error: 'a | b' }],
    });
    const markdown = formatFleetReport(report, 'markdown');
    expect(markdown).toContain('| body.status == "a\\|b" second line |');
    expect(markdown).toContain('| bus\\|x | a \\| b |');
  });

  test('fences problems with more backticks than they hold', () => {
    const problem = { ...full.problems[0]!, message: 'use ```yaml blocks' };
    const markdown = formatFleetReport(FleetReport.parse({ ...full, problems: [problem] }), 'markdown');
    expect(markdown).toContain('````\nfleet.yaml:12:5 warning: wizards.ghost.port: use ```yaml blocks\n````');
  });
});
