import type { Rule } from './rule-context.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function listOrNone(names: Iterable<string>): string {
  const list = [...names];
  return list.length > 0 ? list.join(', ') : 'none';
}

/**
 * The `alerts` block names channels, targets, hosts and host groups that exist; a silence ends
 * after it starts; a scheduled report goes to channels that exist and has a name of its own.
 */
export const alertReferences: Rule = ({ alerts, hosts, targets, groups, report }) => {
  if (!alerts) return;
  const channels = new Set(isRecord(alerts.channels) ? Object.keys(alerts.channels) : []);
  const targetNames = new Set(targets.map((target) => target.name));
  const known = {
    channels: { names: channels, what: 'channel', where: 'alerts.channels' },
    targets: { names: targetNames, what: 'target', where: 'services and wizards' },
    hosts: { names: new Set(hosts.keys()), what: 'host', where: 'hosts' },
    groups: { names: groups, what: 'host group', where: 'host groups' },
  } as const;
  const check = (section: 'rules' | 'silences', index: number, entry: Record<string, unknown>) => {
    for (const key of ['channels', 'targets', 'hosts', 'groups'] as const) {
      const list = entry[key];
      if (!Array.isArray(list) || (key === 'channels' && section === 'silences')) continue;
      const { names, what, where } = known[key];
      list.forEach((name, position) => {
        if (typeof name !== 'string' || names.has(name)) return;
        report({
          path: ['alerts', section, index, key, position],
          message: `unknown ${what} "${name}" (${where}: ${listOrNone(names)})`,
        });
      });
    }
  };
  const rules = Array.isArray(alerts.rules) ? alerts.rules : [];
  rules.forEach((rule, index) => {
    if (isRecord(rule)) check('rules', index, rule);
  });
  const silences = Array.isArray(alerts.silences) ? alerts.silences : [];
  silences.forEach((silence, index) => {
    if (!isRecord(silence)) return;
    check('silences', index, silence);
    const from = typeof silence.from === 'string' ? Date.parse(silence.from) : Number.NaN;
    const until = typeof silence.until === 'string' ? Date.parse(silence.until) : Number.NaN;
    if (from >= until) {
      report({ path: ['alerts', 'silences', index, 'until'], message: 'the silence ends before it starts' });
    }
  });
  const reports = Array.isArray(alerts.reports) ? alerts.reports : [];
  const reportNames = new Set<string>();
  reports.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    const name = entry.name ?? `report-${index}`;
    if (typeof name === 'string' && reportNames.has(name)) {
      report({ path: ['alerts', 'reports', index, 'name'], message: `another report is named "${name}"` });
    }
    if (typeof name === 'string') reportNames.add(name);
    if (!Array.isArray(entry.channels)) return;
    entry.channels.forEach((name, position) => {
      if (typeof name !== 'string' || channels.has(name)) return;
      report({
        path: ['alerts', 'reports', index, 'channels', position],
        message: `unknown channel "${name}" (alerts.channels: ${listOrNone(channels)})`,
      });
    });
  });
};
