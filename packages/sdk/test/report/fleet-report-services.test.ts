import { describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { fleetReportServices } from '../../src/report/fleet-report-services.ts';

const yaml = (name: string) => `version: 1
${name}hosts:
  vps1: { address: 10.0.0.1 }
services:
  bus: { kind: bus, host: vps1, port: 8650 }
  kb: { kind: knowledge, host: vps1, port: 8651 }
`;

describe('fleetReportServices', () => {
  test("gives the fleet's name with its buses and knowledge nodes, so the report is titled like fleet report's", () => {
    const { value: fleet } = parseFleet(yaml('name: prod\n'));
    const sources = fleetReportServices(fleet!);
    expect(sources.fleet).toBe('prod');
    expect(sources.buses.map((bus) => bus.target)).toEqual(['bus']);
    expect(sources.knowledge.map((node) => node.target)).toEqual(['kb']);
  });

  test('a fleet file without a name gives none (the report says "fleet")', () => {
    const { value: fleet } = parseFleet(yaml(''));
    expect('fleet' in fleetReportServices(fleet!)).toBe(false);
  });
});
