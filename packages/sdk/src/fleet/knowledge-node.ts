import { FleetError } from '../errors.ts';
import { bindAddress } from './deploy-settings.ts';
import type { Fleet } from './schema.ts';
import { servicesOfKind, serviceUrl } from './targets.ts';

/** A knowledge node's sync partner as the fleet file describes it. */
export interface FleetKnowledgePeer {
  /** The peer's node id: its service name in the fleet file. */
  id: string;
  /** Base URL of its knowledge server. */
  url: string;
  /** The token it accepts (its service's `token`), if it has one. */
  token?: string;
}

/**
 * The sync peers of knowledge service `self`: every other `knowledge` service of the fleet file.
 * A knowledge node started from the file uses its service name as its node id, so these ids are
 * the peers' node ids.
 *
 * @example knowledgePeers(fleet, 'knowledge-ezra') // [{ id: 'knowledge-mira', url: 'http://10.0.0.7:8651' }]
 */
export function knowledgePeers(fleet: Fleet, self: string): FleetKnowledgePeer[] {
  return servicesOfKind(fleet, 'knowledge')
    .filter((service) => service.name !== self)
    .map((service) => ({
      id: service.name,
      url: serviceUrl(fleet, service.name)!,
      ...(service.token !== undefined ? { token: service.token } : {}),
    }));
}

/** How a knowledge node described by the fleet file runs: what `fleet-knowledge server --config` uses. */
export interface FleetKnowledgeNode {
  /** Its node id: the service name. */
  nodeId: string;
  /** The address of its host in the file: where peers reach it. */
  address: string;
  /** The address it binds: its host's `bind`, else `address`. */
  bind: string;
  port: number;
  /** The token it accepts, if its service has one. */
  token?: string;
  /** Every other knowledge service of the file. */
  peers: FleetKnowledgePeer[];
}

/**
 * The settings of knowledge service `name` of the fleet file (default: the file's only knowledge
 * service). Throws `FleetError('validation_failed')` naming the choice when there is no such
 * service, or when `name` is omitted and the file has several.
 */
export function fleetKnowledgeNode(fleet: Fleet, name?: string): FleetKnowledgeNode {
  const nodes = servicesOfKind(fleet, 'knowledge');
  const names = nodes.map((node) => node.name).join(', ') || 'none';
  const chosen =
    name === undefined ? (nodes.length === 1 ? nodes[0] : undefined) : nodes.find((node) => node.name === name);
  if (!chosen) {
    const why = name === undefined ? 'name the knowledge service this node is' : `no knowledge service "${name}"`;
    throw new FleetError('validation_failed', `${why} (knowledge services in the fleet file: ${names})`, {
      details: { field: 'service' },
    });
  }
  return {
    nodeId: chosen.name,
    address: fleet.hosts[chosen.host]!.address,
    bind: bindAddress(fleet, chosen.host),
    port: chosen.port,
    ...(chosen.token !== undefined ? { token: chosen.token } : {}),
    peers: knowledgePeers(fleet, chosen.name),
  };
}
