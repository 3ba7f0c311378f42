import { channelSecretFields } from '../../alerts/channels/channel-secrets.ts';
import type { Rule } from './rule-context.ts';

function envVarFor(channel: string, field: string): string {
  const snake = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_');
  return `ALERT_${snake(channel)}_${snake(field)}`.toUpperCase();
}

// A channel's credential written into the file ends up in version control and every copy of it.
export const channelSecretsFromEnvironment: Rule = ({ alerts, fromEnv, report }) => {
  const channels = alerts?.channels;
  if (channels === null || typeof channels !== 'object') return;
  for (const [name, spec] of Object.entries(channels)) {
    for (const { path, what } of channelSecretFields(spec)) {
      const full = ['alerts', 'channels', name, ...path];
      if (fromEnv(full)) continue;
      report({
        path: full,
        severity: 'warning',
        message: `${what} is written in the file; reference an environment variable instead, e.g. \${${envVarFor(name, path.at(-1)!)}}`,
      });
    }
  }
};
