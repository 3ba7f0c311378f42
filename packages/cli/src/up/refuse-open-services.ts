import { isLoopbackHost } from '@fleet/sdk/server';
import type { LocalPlan } from './local-plan.ts';

/** The environment variable each server's own command reads its token from: the example to give. */
const TOKEN_ENV = { bus: 'FLEET_BUS_TOKEN', knowledge: 'FLEET_KNOWLEDGE_TOKEN', dashboard: 'FLEET_DASHBOARD_TOKEN' };

/** `a`, `a and b`, `a, b and c`. */
function listed(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Throws when `host` is not a loopback address and a server of the plan (bus, knowledge node,
 * dashboard) has no token: the servers would refuse to start, and `fleet up` has no `--token` or
 * `--insecure` to offer. Called before anything is written or listens, and says what works: a
 * token per service in the fleet file, or binding 127.0.0.1. `demo` is true when `config` does not
 * exist yet and the plan is that of the demo fleet file `fleet up` would write there.
 *
 * @example
 * refuseOpenServices(localPlan(fleet), '0.0.0.0', 'fleet.yaml', false);
 * // Error: cannot bind 0.0.0.0: dashboard has no token in fleet.yaml, so anyone who can reach 0.0.0.0 could use it; ...
 */
export function refuseOpenServices(plan: LocalPlan, host: string, config: string, demo: boolean): void {
  if (isLoopbackHost(host)) return;
  const open = (['bus', 'knowledge', 'dashboard'] as const).filter((kind) => plan[kind].token === undefined);
  const first = open[0];
  if (first === undefined) return;
  const names = listed(open.map((kind) => plan[kind].name));
  const fields = listed(open.map((kind) => `services.${plan[kind].name}.token`));
  const them = open.length === 1 ? 'it' : 'them';
  const example = `e.g. token: \${${TOKEN_ENV[first]}}, with that variable set`;
  throw new Error(
    demo
      ? `cannot bind ${host}: the demo fleet file gives ${names} no token, so anyone who can reach ${host} ` +
          `could use ${them} (nothing written); run fleet up once on 127.0.0.1 to write ${config}, ` +
          `set ${fields} there (${example}), or bind 127.0.0.1`
      : `cannot bind ${host}: ${names} ${open.length === 1 ? 'has' : 'have'} no token in ${config}, so anyone ` +
          `who can reach ${host} could use ${them}; set ${fields} there (${example}), or bind 127.0.0.1`,
  );
}
