import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { invalidField } from '../../internal/invalid-field.ts';
import { NodeId } from '../../schemas/fact.ts';

/** A fresh node id: the host name made safe (at most 48 characters), `-`, and 8 random hex digits. */
export function generateNodeId(host = hostname()): string {
  const base = host
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 48)
    .replace(/[^A-Za-z0-9]+$/, '');
  return `${base || 'node'}-${randomBytes(4).toString('hex')}`;
}

/** `id` when it is a valid {@link NodeId}; throws `validation_failed` naming `field` otherwise. */
export function checkNodeId(id: string, field = 'nodeId'): string {
  const result = NodeId.safeParse(id);
  if (!result.success) throw invalidField(field, result.error.issues[0]?.message ?? 'not a node id');
  return id;
}
