import { type Fleet, fleetEnvironment, MIN_SCRUB_LENGTH, SECRET_ENV_NAME } from '@fleet/sdk/fleet';

/**
 * Every secret of the whole fleet file, which any host's plan must hide: the values of its
 * `${ENV}` references, and what it writes literally where `redactFleet` shows `***` (every
 * service's and wizard's token, every `env` value under a secret-looking name). Whole-fleet, not
 * per host: a wizard's environment file carries the bus's token, which is defined on another host.
 */
export function fleetSecrets(fleet: Fleet): string[] {
  const secrets = new Set(Object.values(fleetEnvironment(fleet)));
  // Literal values shorter than scrub's minimum stay, as in `scrub`: hiding a `CACHE_KEY` of `1`
  // would turn every 1 of every host's plan into ***.
  const literal = (value: string) => {
    if (value.length >= MIN_SCRUB_LENGTH) secrets.add(value);
  };
  for (const target of [...Object.values(fleet.services), ...Object.values(fleet.wizards)]) {
    if (target.token !== undefined) literal(target.token);
    for (const [key, value] of Object.entries(target.env ?? {})) if (SECRET_ENV_NAME.test(key)) literal(value);
  }
  secrets.delete('');
  return [...secrets];
}
