import { describe, expect, test } from 'vitest';
import { renderBus } from '../../src/render/bus.ts';
import { renderCounts } from '../../src/render/counts.ts';
import { renderKnowledge } from '../../src/render/knowledge.ts';
import { renderOverview } from '../../src/render/overview.ts';
import { renderProblems } from '../../src/render/problems.ts';
import { renderTargets } from '../../src/render/targets.ts';
import { buckets, fleetStatus, NOW } from './_fixtures.ts';
import { duplicateIds, element, markupProblems, openingTag, textOf } from './_markup.ts';

describe('renderOverview', () => {
  const overview = renderOverview(fleetStatus());

  test('is one well-formed <main id="overview"> with unique ids', () => {
    expect(overview).toMatch(/^<main id="overview" /);
    expect(overview).toMatch(/<\/main>$/);
    expect(markupProblems(overview)).toEqual([]);
    expect(duplicateIds(overview)).toEqual([]);
  });

  test('links to the deploys and alerts pages and the status JSON from its footer', () => {
    const links = [...overview.matchAll(/<a href="([^"]+)">/g)].map((match) => match[1]);
    expect(links).toEqual(expect.arrayContaining(['/deploys', '/alerts', '/api/status']));
  });

  test('holds every section, problems first after the counts', () => {
    const order = ['counts', 'problems', 'targets', 'bus', 'knowledge'].map((id) => overview.indexOf(`id="${id}"`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test.each([
    ['bus', 'up', 'bus ● up bus 3 h 12 min ago 42 ms 99.87 %'],
    [
      'knowledge',
      'degraded',
      'knowledge ▲ degraded [RESPONSE_TIME] < 300 failed: 812 ms knowledge 3 h 12 min ago 812 ms',
    ],
    ['dashboard', 'deploying', 'dashboard ↻ deploying dashboard'],
    ['merlin', 'down', 'merlin ✖ down connect ECONNREFUSED 10.0.0.2:8643 wizard 3 h 12 min ago — 90.00 %'],
    ['ollama', 'unknown', 'ollama ? unknown ollama — — —'],
  ])('shows target %s with data-state="%s", its state in text and colour class', (id, state, text) => {
    expect(openingTag(overview, `target-${id}`)).toContain(`data-state="${state}"`);
    const row = element(overview, `target-${id}`)!;
    expect(textOf(row)).toContain(text);
    expect(row).toContain(`class="state state-${state}"`);
    expect(row).toContain(`<a href="/services/${id}">${id}</a>`);
  });

  test('an up target whose last probe failed shows that error, before enough failures turn it down', () => {
    const status = fleetStatus();
    const error = 'connect ECONNREFUSED 10.0.0.1:8650';
    status.hosts[0]!.targets[0] = { ...status.hosts[0]!.targets[0]!, lastError: error };
    const row = element(renderOverview(status), 'target-bus')!;
    expect(openingTag(row, 'target-bus')).toContain('data-state="up"');
    expect(textOf(row)).toContain(`bus ● up last probe failed: ${error} bus 3 h 12 min ago`);
    // An up target whose last probe passed shows no error.
    expect(element(overview, 'target-bus')).not.toContain('class="error"');
  });

  test('puts the state right after the name, before the kind', () => {
    const headers = [...element(overview, 'host-alpha')!.matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g)].map(
      (m) => m[1],
    );
    expect(headers.slice(0, 3)).toEqual(['Target', 'State', 'Kind']);
  });

  test('groups targets by host, in the order of the fleet file', () => {
    const alpha = element(overview, 'host-alpha')!;
    const beta = element(overview, 'host-beta')!;
    expect(textOf(alpha)).toMatch(/^alpha 10\.0\.0\.1/);
    expect([...alpha.matchAll(/data-target="([^"]+)"/g)].map((m) => m[1])).toEqual(['bus', 'knowledge', 'dashboard']);
    expect([...beta.matchAll(/data-target="([^"]+)"/g)].map((m) => m[1])).toEqual(['merlin', 'ollama']);
  });

  test('puts a document title with the worst states on the overview', () => {
    expect(openingTag(overview, 'overview')).toContain('data-title="Fleet · 1 down, 1 degraded"');
    const calm = fleetStatus({ hosts: [], counts: { up: 4, degraded: 0, down: 0, unknown: 0, deploying: 0 } });
    expect(openingTag(renderOverview(calm, { title: 'Prod' }), 'overview')).toContain('data-title="Prod · all 4 up"');
  });

  test('adds an uptime bar per target with history, merged down to barSegments', () => {
    const withBars = renderOverview(fleetStatus(), {
      history: { bus: buckets(288), merlin: buckets(5) },
      barSegments: 48,
    });
    expect(markupProblems(withBars)).toEqual([]);
    expect(element(withBars, 'target-bus')).toContain('data-segments="48"');
    expect(element(withBars, 'target-merlin')).toContain('data-segments="5"');
    expect(element(withBars, 'target-ollama')).not.toContain('<svg');
    expect(withBars).toContain('>History</th>');
    expect(overview).not.toContain('>History</th>');
  });

  test('a gap in monitoring: the target unknown since its last probe, the bar grey where nothing was probed', () => {
    // Four hours of probes, then none for two hours (the fleet was stopped) until now.
    const history = { bus: buckets(72).slice(0, 48) };
    const status = fleetStatus();
    const twoHoursAgo = new Date(NOW - 2 * 3_600_000).toISOString();
    status.hosts[0]!.targets[0] = { ...status.hosts[0]!.targets[0]!, state: 'unknown', since: twoHoursAgo };
    const row = element(renderOverview(status, { history, barSegments: 72 }), 'target-bus')!;
    expect(textOf(row)).toMatch(/^bus \? unknown bus 2 h ago /);
    expect(row).toContain('data-segments="72"');
    expect(row.match(/seg-ok/g)).toHaveLength(48);
    expect(row.match(/seg-none/g)).toHaveLength(24);
    expect(row).toContain(`<title>${new Date(NOW - 5 * 60_000).toISOString().slice(11, 16)} UTC: no probes</title>`);
    // Merged down, the gap still shows as its own segments.
    const merged = element(renderOverview(status, { history, barSegments: 12 }), 'target-bus')!;
    expect(merged.match(/seg-none/g)).toHaveLength(4);
  });

  test('escapes hostile names, addresses, errors and problem messages everywhere', () => {
    const evil = '"><img src=x onerror=alert(1)><script>alert(1)</script>';
    const status = fleetStatus();
    const merlin = status.hosts[1]!.targets[0]!;
    status.hosts[1] = {
      name: evil,
      address: evil,
      targets: [{ ...merlin, id: evil, host: evil, lastError: evil }],
    };
    status.problems[0] = { ...status.problems[0]!, file: evil, message: evil, path: evil };
    status.file = evil;
    status.bus[0]!.target = evil;
    status.bus[0]!.error = evil;
    status.knowledge[0]!.peers[0]!.peer = evil;
    status.knowledge[0]!.peers[0]!.lastError = evil;
    status.knowledge[0]!.nodeId = evil;
    const out = renderOverview(status, { title: evil });
    expect(out).not.toMatch(/<img|<script/);
    expect(markupProblems(out)).toEqual([]);
    expect(out).toContain(`href="/services/${encodeURIComponent(evil)}"`);
    // All there as text: host name and address, target link and error, problem file, message and path,
    // the file in the problems heading and the footer, bus name and error, peer and its error, node id.
    expect(textOf(out).split(evil).length - 1).toBe(14);
  });
});

describe('renderCounts', () => {
  test('counts targets per state, worst first, with stable ids and data attributes', () => {
    const counts = renderCounts(fleetStatus({ counts: { up: 7, degraded: 0, down: 2, unknown: 0, deploying: 1 } }));
    expect(markupProblems(counts)).toEqual([]);
    expect(textOf(counts)).toBe('10 targets 2 down 0 degraded 1 deploying 0 unknown 7 up');
    expect(openingTag(counts, 'count-down')).toContain('data-count="2"');
    expect(openingTag(counts, 'count-degraded')).toContain('zero');
  });
});

describe('renderProblems', () => {
  test('lists each problem prominently with file:line:column, severity, message and path', () => {
    const problems = renderProblems(fleetStatus().problems, 'fleet.yaml');
    expect(markupProblems(problems)).toEqual([]);
    expect(openingTag(problems, 'problems')).toContain('class="problems has-errors" data-count="2"');
    expect(textOf(problems)).toBe(
      'The fleet file has 1 error and 1 warning: fleet.yaml ' +
        'fleet.yaml:12:5 error Unknown host "gamma": hosts are alpha, beta. services.ollama.host ' +
        'fleet.yaml:30:3 warning Unknown key "prot" (did you mean "port"?). wizards.merlin.prot',
    );
  });

  test('is an empty hidden placeholder when the file is valid, so live updates can fill it', () => {
    expect(renderProblems([])).toMatchInlineSnapshot(`"<div id="problems" data-count="0" hidden></div>"`);
    expect(renderOverview(fleetStatus({ problems: [] }))).not.toContain('class="problem');
  });

  test('is not styled as errors when there are only warnings', () => {
    const warnings = fleetStatus().problems.filter((p) => p.severity === 'warning');
    expect(openingTag(renderProblems(warnings), 'problems')).toContain('class="problems"');
  });
});

describe('renderTargets', () => {
  test('says so when the fleet has no targets', () => {
    expect(textOf(renderTargets(fleetStatus({ hosts: [] })))).toBe(
      'No targets: the fleet file describes no services or wizards.',
    );
  });
});

describe('renderBus', () => {
  const bus = renderBus(fleetStatus().bus, NOW);

  test('shows the backlog per agent and the totals, highlighting dead letters', () => {
    expect(markupProblems(bus)).toEqual([]);
    const rows = [...bus.matchAll(/<tr data-agent="[^"]*"[^>]*>.*?<\/tr>/g)].map((m) => m[0]);
    expect(rows.map(textOf)).toEqual(['merlin 3 1 0 2 1 min', 'gandalf 0 0 1 0 —']);
    expect(rows[0]).toContain('data-dead="2" class="has-dead"');
    expect(rows[0]).toContain('<strong>2</strong>');
    expect(rows[1]).not.toContain('has-dead');
    expect(textOf(bus)).toContain('Total 3 1 1 2');
    expect(textOf(bus)).toContain('bus read 5 s ago');
  });

  test('shows why the queue could not be read', () => {
    const out = renderBus(
      [
        {
          target: 'bus',
          at: null,
          error: 'connect ECONNREFUSED',
          recipients: [],
          totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 },
        },
      ],
      NOW,
    );
    expect(textOf(out)).toBe('Bus backlog bus Could not read the queue: connect ECONNREFUSED');
  });

  test('says so when the fleet has no bus', () => {
    expect(textOf(renderBus([], NOW))).toBe('Bus backlog No bus in the fleet file.');
  });
});

describe('renderKnowledge', () => {
  test('shows the sync lag per peer and the last error, marking lagging and failing peers', () => {
    const out = renderKnowledge(fleetStatus().knowledge, NOW);
    expect(markupProblems(out)).toEqual([]);
    const rows = [...out.matchAll(/<tr data-peer="[^"]*"[^>]*>.*?<\/tr>/g)].map((m) => m[0]);
    expect(rows.map(textOf)).toEqual(['node-b 12 42 s 1 min ago timeout after 5000 ms', 'node-c 0 0 s 3 s ago —']);
    expect(rows[0]).toContain('class="lagging failing"');
    expect(rows[1]).toMatch(/^<tr data-peer="node-c" data-lag-facts="0">/);
    expect(textOf(out)).toContain('knowledge node-a read 5 s ago');
  });

  test('says so when the fleet has no knowledge node', () => {
    expect(textOf(renderKnowledge([], NOW))).toBe('Knowledge sync No knowledge node in the fleet file.');
  });
});
