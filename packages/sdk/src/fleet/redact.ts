import { channelSecretFields } from '../alerts/channels/channel-secrets.ts';
import { REDACTED } from '../internal/redact.ts';
import { originsOf, variablesOf } from './internal/origins.ts';
import { SECRET_ENV_NAME } from './internal/secrets.ts';
import type { Fleet } from './schema.ts';

function setString(tree: unknown, path: readonly (string | number)[], value: string): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  const last = path.at(-1);
  const parent = node as Record<string | number, unknown> | null;
  // Only strings: a reference that became a number (a duration) is no secret and has a new shape.
  if (last !== undefined && parent !== null && typeof parent?.[last] === 'string') parent[last] = value;
}

/**
 * A copy of the fleet that is safe to print, log or serve: every value that came from an
 * `${ENV_VAR}` reference shows the reference again, and tokens or secret-looking environment
 * values (`*_TOKEN`, `*_KEY`, `*PASSWORD`, ...) and alert channels' credentials written literally in
 * the file show `***`.
 * Environment references are known for fleets returned by `parseFleet`/`loadFleetFile`.
 *
 * @example console.log(JSON.stringify(redactFleet(fleet), null, 2));
 */
export function redactFleet(fleet: Fleet): Fleet {
  const copy = structuredClone(fleet);
  for (const section of [copy.services, copy.wizards]) {
    for (const target of Object.values(section)) {
      if (target.token !== undefined) target.token = REDACTED;
      if ('env' in target) {
        for (const key of Object.keys(target.env)) if (SECRET_ENV_NAME.test(key)) target.env[key] = REDACTED;
      }
    }
  }
  for (const channel of Object.values(copy.alerts?.channels ?? {})) {
    for (const { path } of channelSecretFields(channel)) setString(channel, path, REDACTED);
  }
  for (const origin of originsOf(fleet)) setString(copy, origin.path, origin.template);
  return copy;
}

/**
 * The environment variables the fleet file referenced (`${NAME}`), with the values it was loaded
 * with: what a process that loads the same file on another machine needs in its environment.
 * Empty for a fleet not returned by `parseFleet`/`loadFleetFile`. The values are secrets.
 *
 * @example fleetEnvironment(fleet) // { FLEET_BUS_TOKEN: '...' }
 */
export function fleetEnvironment(fleet: Fleet): Record<string, string> {
  return { ...variablesOf(fleet) };
}
