import { bindAddress, type Fleet, type InstallSpec, type NamedTarget } from '@fleet/sdk/fleet';
import { unitCommand } from './internal/unit-command.ts';
import type { ConfigFile, HostServicesInput } from './service-types.ts';

/** Where a kind's binary is when the file names only its Debian package. */
const PACKAGE_BINARIES = { ollama: '/usr/bin/ollama', gitea: '/usr/bin/gitea', conduit: '/usr/sbin/matrix-conduit' };

type ThirdPartyKind = keyof typeof PACKAGE_BINARIES;

/** The addresses Gitea may send webhooks to: every host of the fleet (never `*`). */
function webhookHosts(fleet: Fleet): string {
  const addresses = new Set<string>();
  for (const name of Object.keys(fleet.hosts)) {
    addresses.add(fleet.hosts[name]!.address);
    addresses.add(bindAddress(fleet, name));
  }
  return [...addresses].join(',');
}

function giteaIni(input: HostServicesInput, target: NamedTarget, bind: string, state: string): string {
  const address = input.fleet.hosts[target.host]!.address;
  return `; Written by fleet deploy from the fleet file; edit that instead.
APP_NAME = ${input.fleet.name ?? 'Fleet'} Gitea
RUN_MODE = prod
WORK_PATH = ${state}

[server]
HTTP_ADDR = ${bind}
HTTP_PORT = ${target.port}
ROOT_URL = ${target.scheme}://${address.includes(':') ? `[${address}]` : address}:${target.port}/
DISABLE_SSH = true
APP_DATA_PATH = ${state}/data

[database]
DB_TYPE = sqlite3
PATH = ${state}/gitea.db

[security]
INSTALL_LOCK = true

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = true

[webhook]
ALLOWED_HOST_LIST = ${webhookHosts(input.fleet)}

[log]
MODE = console
`;
}

function conduitToml(input: HostServicesInput, target: NamedTarget, bind: string, state: string): string {
  const address = input.fleet.hosts[target.host]!.address;
  return `# Written by fleet deploy from the fleet file; edit that instead.
[global]
server_name = ${JSON.stringify(address)}
database_backend = "rocksdb"
database_path = ${JSON.stringify(`${state}/`)}
address = ${JSON.stringify(bind)}
port = ${target.port}
max_request_size = 20000000
allow_registration = false
allow_federation = false
trusted_servers = []
`;
}

/**
 * How Ollama, Gitea or Conduit runs on its host from the binary (or package) the operator
 * supplies: its command, environment and config files. Gitea comes with registration disabled,
 * sign-in required and webhooks allowed only to the fleet's own hosts; Conduit with registration
 * and federation off.
 */
export function thirdPartyService(
  input: HostServicesInput,
  target: NamedTarget,
  install: InstallSpec,
  bind: string,
): { execStart: string; env: Record<string, string>; files: ConfigFile[] } {
  const kind = target.kind as ThirdPartyKind;
  const binary = install.binary ?? PACKAGE_BINARIES[kind];
  const state = input.layout.state(target.name);
  const etc = input.layout.currentEtc;
  switch (kind) {
    case 'ollama':
      return {
        execStart: unitCommand([binary, 'serve']),
        env: {
          OLLAMA_HOST: `${bind.includes(':') ? `[${bind}]` : bind}:${target.port}`,
          OLLAMA_MODELS: `${state}/models`,
          HOME: state,
        },
        files: [],
      };
    case 'gitea':
      return {
        execStart: unitCommand([binary, 'web', '--config', `${etc}/${target.name}/app.ini`]),
        env: { HOME: state, GITEA_WORK_DIR: state },
        files: [{ name: `${target.name}/app.ini`, content: giteaIni(input, target, bind, state), mode: '0640' }],
      };
    case 'conduit':
      return {
        execStart: unitCommand([binary]),
        env: { CONDUIT_CONFIG: `${etc}/${target.name}/conduit.toml` },
        files: [
          { name: `${target.name}/conduit.toml`, content: conduitToml(input, target, bind, state), mode: '0640' },
        ],
      };
  }
}
