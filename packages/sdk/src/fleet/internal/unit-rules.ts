import { unitOf } from '../unit-name.ts';
import type { Rule } from './rule-context.ts';

// The deployer installs each target as a unit named after it, with an env file named after the unit:
// service "wizard-x" and wizard "x" would overwrite each other on their host at every deploy.
export const oneTargetPerUnit: Rule = ({ targets, report }) => {
  const seen = new Map<string, string>();
  for (const { section, name, host, kind } of targets) {
    if (host === undefined || kind === undefined) continue;
    const unit = unitOf({ name, kind });
    const key = `${host} ${unit}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, `${section}.${name}`);
      continue;
    }
    report({
      path: [section, name],
      anchor: 'key',
      message: `${first} and ${section}.${name} on host ${host} would both be ${unit}`,
    });
  }
};
