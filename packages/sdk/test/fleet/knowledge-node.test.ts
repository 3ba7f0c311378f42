// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { expect, test } from 'vitest';
import { fleetKnowledgeNode, knowledgePeers } from '../../src/fleet/knowledge-node.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';

const text = `version: 1
hosts:
  ezra: { address: 10.0.0.5 }
  mira: { address: "fd00::7" }
services:
  k-ezra: { kind: knowledge, host: ezra, port: 8651, token: "\${EZRA_TOKEN}" }
  k-mira: { kind: knowledge, host: mira, port: 8661 }
  bus: { kind: bus, host: ezra, port: 8650 }
`;

test("a knowledge node's peers are the file's other knowledge services, with their URLs and tokens", () => {
  const { value: fleet, errors } = parseFleet(text, { env: { EZRA_TOKEN: 'secret-ezra' } });
  expect(errors).toEqual([]);
  expect(knowledgePeers(fleet!, 'k-ezra')).toEqual([{ id: 'k-mira', url: 'http://[fd00::7]:8661' }]);
  expect(knowledgePeers(fleet!, 'k-mira')).toEqual([
    { id: 'k-ezra', url: 'http://10.0.0.5:8651', token: 'secret-ezra' },
  ]);
  expect(knowledgePeers(fleet!, 'bus').map((peer) => peer.id)).toEqual(['k-ezra', 'k-mira']);
});

test('a knowledge node from the file: its id, address, port, token and peers; a missing choice is named', () => {
  const { value: fleet } = parseFleet(text, { env: { EZRA_TOKEN: 'secret-ezra' } });
  expect(fleetKnowledgeNode(fleet!, 'k-ezra')).toEqual({
    nodeId: 'k-ezra',
    address: '10.0.0.5',
    bind: '10.0.0.5',
    port: 8651,
    token: 'secret-ezra',
    peers: [{ id: 'k-mira', url: 'http://[fd00::7]:8661' }],
  });
  expect(() => fleetKnowledgeNode(fleet!)).toThrow(
    'name the knowledge service this node is (knowledge services in the fleet file: k-ezra, k-mira)',
  );
  expect(() => fleetKnowledgeNode(fleet!, 'bus')).toThrow('no knowledge service "bus"');
});

test("a knowledge node behind NAT binds its host's bind address while peers reach it at its address", () => {
  const natted = text.replace('ezra: { address: 10.0.0.5 }', 'ezra: { address: 203.0.113.7, bind: 10.0.0.5 }');
  const { value: fleet, errors } = parseFleet(natted, { env: { EZRA_TOKEN: 'secret-ezra' } });
  expect(errors).toEqual([]);
  expect(fleetKnowledgeNode(fleet!, 'k-ezra')).toMatchObject({ address: '203.0.113.7', bind: '10.0.0.5' });
  expect(knowledgePeers(fleet!, 'k-mira')[0]?.url).toBe('http://203.0.113.7:8651');
});
