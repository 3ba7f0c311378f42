// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { closedPort } from '@fleet/test-utils/closed-port';
import { describe, expect, test } from 'vitest';
import { DashboardClient } from '../../src/dashboard/dashboard-client.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { buildFleetReport } from '../../src/report/build-fleet-report.ts';
import { fleetReportServices } from '../../src/report/fleet-report-services.ts';
import { formatFleetReport } from '../../src/report/format-report.ts';
import { dashboardReportSource } from '../../src/report/report-sources.ts';

// The report goes to alert channels: a value the fleet file took from the environment shows as
// its reference there, as `fleet status` and the dashboard show it.

describe('a report from the fleet file services', () => {
  test('shows the ${ENV} references of the addresses it could not read, in the sections and the gaps', async () => {
    const [busPort, knowledgePort, dashboardPort] = [await closedPort(), await closedPort(), await closedPort()];
    const { value: fleet, errors } = parseFleet(
      [
        'version: 1',
        'hosts:',
        '  vault: { address: "${KNOWLEDGE_ADDR}" }',
        '  hub: { address: "${BUS_ADDR}" }',
        'services:',
        `  kn: { kind: knowledge, host: vault, port: ${knowledgePort} }`,
        `  bus: { kind: bus, host: hub, port: ${busPort} }`,
        '',
      ].join('\n'),
      { env: { KNOWLEDGE_ADDR: 'localhost', BUS_ADDR: '127.0.0.1' } },
    );
    expect(errors).toEqual([]);
    const dashboard = new DashboardClient({ url: `http://localhost:${dashboardPort}`, retry: 0 });
    const report = await buildFleetReport({
      monitor: dashboardReportSource(dashboard),
      ...fleetReportServices(fleet!, { timeoutMs: 5_000 }),
    });

    const knowledgeError = report.knowledge[0]?.error;
    expect(knowledgeError).toContain(`http://\${KNOWLEDGE_ADDR}:${knowledgePort}`);
    const busError = report.bus[0]?.error;
    expect(busError).toContain(`http://\${BUS_ADDR}:${busPort}`);
    expect(report.gaps).toEqual([
      { source: 'monitor', error: expect.stringContaining(`http://\${KNOWLEDGE_ADDR}:${dashboardPort}`) },
      { source: 'bus', error: busError },
      { source: 'kn', error: knowledgeError },
    ]);
    for (const text of [
      JSON.stringify(report),
      formatFleetReport(report, 'text'),
      formatFleetReport(report, 'markdown'),
    ]) {
      expect(text).not.toContain('localhost');
      expect(text).not.toContain('127.0.0.1');
    }
  });
});
