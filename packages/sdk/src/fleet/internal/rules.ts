import { formatDuration } from '../../internal/duration.ts';
import { addressKey } from './address.ts';
import { alertReferences } from './alert-rules.ts';
import { channelSecretsFromEnvironment } from './channel-secret-rules.ts';
import type { Rule, RuleContext } from './rule-context.ts';
import { SECRET_ENV_NAME } from './secrets.ts';
import { oneTargetPerUnit } from './unit-rules.ts';

const hostsExist: Rule = ({ hosts, targets, show, report }) => {
  const names = [...hosts.keys()];
  const known = names.length > 0 ? `hosts: ${names.join(', ')}` : 'no hosts are defined';
  for (const { section, name, host } of targets) {
    if (host === undefined || hosts.has(host)) continue;
    const path = [section, name, 'host'];
    report({ path, message: `unknown host ${show(path)} (${known})` });
  }
};

// Names are monitor target ids and dashboard URLs: a wizard cannot share a service's name.
const namesUniqueAcrossSections: Rule = ({ targets, report }) => {
  const services = new Set(targets.filter((t) => t.section === 'services').map((t) => t.name));
  for (const { section, name } of targets) {
    if (section === 'wizards' && services.has(name)) {
      report({
        path: [section, name],
        anchor: 'key',
        message: `the name "${name}" is already used by services.${name}; service and wizard names must be unique`,
      });
    }
  }
};

// Two hosts may share an address (aliases), so endpoints are compared by address, not host name.
const oneTargetPerEndpoint: Rule = ({ hosts, targets, report }) => {
  const seen = new Map<string, { path: string; host: string }>();
  for (const { section, name, host, port } of targets) {
    const address = host === undefined ? undefined : hosts.get(host);
    if (address === undefined || port === undefined) continue;
    const endpoint = `${addressKey(address)} ${port}`;
    const first = seen.get(endpoint);
    if (!first) {
      seen.set(endpoint, { path: `${section}.${name}`, host: host! });
      continue;
    }
    const where = first.host === host ? `host ${host}` : `host ${host} (the same address as host ${first.host})`;
    report({ path: [section, name, 'port'], message: `port ${port} on ${where} is already used by ${first.path}` });
  }
};

// Aliases are fine for monitoring, but two managed hosts on one SSH endpoint are one machine the
// deployer would deploy twice at once, into one /opt/fleet: each release would replace the other's.
const oneManagedHostPerMachine: Rule = ({ hosts, sshHosts, report }) => {
  const seen = new Map<string, string>();
  for (const [host, port] of sshHosts) {
    const address = hosts.get(host);
    if (address === undefined || port === undefined) continue;
    const endpoint = `${addressKey(address)} ${port}`;
    const first = seen.get(endpoint);
    if (first === undefined) {
      seen.set(endpoint, host);
      continue;
    }
    report({
      path: ['hosts', host, 'ssh'],
      message: `host ${host} reaches the same machine over SSH as host ${first} (${address}, port ${port}): the deployer would deploy both into one directory, each release replacing the other's; describe the machine as one host`,
    });
  }
};

const timeoutWithinHalfInterval: Rule = ({ targets, report }) => {
  for (const { section, name, raw, health } of targets) {
    if (!health || health.timeoutMs * 2 <= health.intervalMs) continue;
    const written = (raw.health ?? {}) as Record<string, unknown>;
    const key = written.timeout === undefined ? 'interval' : 'timeout';
    const half = formatDuration(Math.floor(health.intervalMs / 2));
    report({
      path: [section, name, 'health', key],
      message: `the timeout (${formatDuration(health.timeoutMs)}) must be at most half the interval (${half} for ${formatDuration(health.intervalMs)})`,
    });
  }
};

// The lock lives on the fleet, so every deployer reaches the same one: over SSH.
const lockHostManaged: Rule = ({ hosts, sshHosts, lockHost, report }) => {
  if (lockHost === undefined) return;
  const path = ['deploy', 'lock', 'host'];
  if (!hosts.has(lockHost))
    report({ path, message: `unknown host "${lockHost}" (hosts: ${[...hosts.keys()].join(', ') || 'none'})` });
  else if (!sshHosts.has(lockHost))
    report({
      path,
      message: `host "${lockHost}" has no ssh block; the deploy lock must live on a host the deployer reaches over SSH`,
    });
};

const hostsUsed: Rule = ({ hosts, targets, report }) => {
  // A target without a valid host name might be meant for any host: no guessing.
  if (targets.some((t) => t.host === undefined)) return;
  const used = new Set(targets.map((t) => t.host));
  for (const name of hosts.keys()) {
    if (!used.has(name)) {
      report({
        path: ['hosts', name],
        anchor: 'key',
        severity: 'warning',
        message: `host "${name}" runs no service or wizard`,
      });
    }
  }
};

function envVarFor(name: string): string {
  return `FLEET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

// A secret written into the file ends up in version control and in every copy of the file.
const secretsFromEnvironment: Rule = ({ targets, fromEnv, report }) => {
  for (const { section, name, raw } of targets) {
    if (typeof raw.token === 'string' && !fromEnv([section, name, 'token'])) {
      report({
        path: [section, name, 'token'],
        severity: 'warning',
        message: `the token is written in the file; reference an environment variable instead, e.g. \${${envVarFor(name)}}`,
      });
    }
    const env = raw.env;
    if (env === null || typeof env !== 'object') continue;
    for (const [key, value] of Object.entries(env)) {
      if (SECRET_ENV_NAME.test(key) && typeof value === 'string' && !fromEnv([section, name, 'env', key])) {
        report({
          path: [section, name, 'env', key],
          severity: 'warning',
          message: `${key} looks like a secret written in the file; reference an environment variable instead, e.g. \${${key}}`,
        });
      }
    }
  }
};

const rules: Rule[] = [
  hostsExist,
  namesUniqueAcrossSections,
  oneTargetPerEndpoint,
  oneManagedHostPerMachine,
  oneTargetPerUnit,
  timeoutWithinHalfInterval,
  hostsUsed,
  lockHostManaged,
  secretsFromEnvironment,
  channelSecretsFromEnvironment,
  alertReferences,
];

/** Runs every cross-reference rule over the fleet. */
export function checkRules(context: RuleContext): void {
  for (const rule of rules) rule(context);
}
