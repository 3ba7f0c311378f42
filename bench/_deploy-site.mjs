// The site the deploy benchmark deploys, once per tool: 4 directories and 20 files on each host (8
// literal files, 8 config templates, 4 systemd unit templates), with owners, groups and modes. Each
// tool gets a tree of its own (`bench-<tool>` in its paths), so both first deploys start from nothing;
// the contents do not name the tree, so both tools must write the same bytes.
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The site's items on one host: `{ key, kind: 'directory' | 'file' | 'template', path, ... }`. */
export function siteItems(tool) {
  const prefix = `bench-${tool}`;
  const items = [
    { key: 'dir-etc', kind: 'directory', path: `/etc/fleet/${prefix}`, owner: 'root', group: 'root', mode: '0755' },
    {
      key: 'dir-conf',
      kind: 'directory',
      path: `/etc/fleet/${prefix}/conf.d`,
      owner: 'root',
      group: 'nogroup',
      mode: '0750',
    },
    { key: 'dir-opt', kind: 'directory', path: `/opt/fleet/${prefix}`, owner: 'root', group: 'root', mode: '0755' },
    {
      key: 'dir-share',
      kind: 'directory',
      path: `/opt/fleet/${prefix}/share`,
      owner: 'daemon',
      group: 'daemon',
      mode: '0755',
    },
  ];
  for (let n = 1; n <= 8; n++) {
    items.push({
      key: `asset-${n}`,
      kind: 'file',
      path: `/opt/fleet/${prefix}/share/asset-${n}.txt`,
      content: assetContent(n),
      owner: 'daemon',
      group: 'daemon',
      mode: '0644',
    });
  }
  for (let n = 1; n <= 8; n++) {
    items.push({
      key: `svc-${n}`,
      kind: 'template',
      path: `/etc/fleet/${prefix}/conf.d/svc-${n}.env`,
      template: serviceTemplate(n),
      owner: 'root',
      group: 'nogroup',
      mode: '0640',
    });
  }
  for (let n = 1; n <= 4; n++) {
    items.push({
      key: `unit-${n}`,
      kind: 'template',
      path: `/etc/systemd/system/${prefix}-worker-${n}.service`,
      template: unitTemplate(n),
      owner: 'root',
      group: 'root',
      mode: '0644',
    });
  }
  return items;
}

/** Each host's template variables (the same names in Fleet's templates and Jinja's). */
export function hostVars(index) {
  const ports = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i + 1}`, 8100 + 10 * index + i]));
  return {
    bench_node: `node-${index}`,
    bench_region: `region-${index % 2}`,
    bench_bus_url: `http://10.0.${index}.1:8650`,
    bench_ports: ports,
  };
}

/** 1 to 15 KB of text, different for each file. */
function assetContent(n) {
  const lines = [];
  for (let i = 0; i < 16 * n; i++)
    lines.push(`asset ${n} line ${i}: ${'abcdefghijklmnopqrstuvwxyz'.repeat(2)} ${i * n}`);
  return `${lines.join('\n')}\n`;
}

function serviceTemplate(n) {
  return [
    `# managed by the deploy benchmark: service ${n}`,
    `SERVICE=svc-${n}`,
    'NODE={{ bench_node }}',
    'REGION={{ bench_region }}',
    `LISTEN=0.0.0.0:{{ bench_ports.s${n} }}`,
    'BUS_URL={{ bench_bus_url }}',
    `LOG_LEVEL=${n % 2 ? 'info' : 'debug'}`,
    '',
  ].join('\n');
}

function unitTemplate(n) {
  return [
    '[Unit]',
    `Description=Benchmark worker ${n} on {{ bench_node }}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    'User=daemon',
    `EnvironmentFile=/etc/fleet/app/svc-${n}.env`,
    `ExecStart=/opt/fleet/app/bin/worker --id {{ bench_node }}-${n} --port {{ bench_ports.s${n} }}`,
    'Restart=on-failure',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

const LOCAL_ROOTS = [
  ['/etc/fleet/', 'etcFleet'],
  ['/opt/fleet/', 'optFleet'],
  ['/etc/systemd/system/', 'systemdSystem'],
];

function idOf(database, name) {
  const entry = spawnSync('getent', [database, name], { encoding: 'utf8' }).stdout.split(':');
  return Number(entry[2]);
}

/** Every item of `tool`'s tree on every host, read through the hosts' backing dirs, against the spec. */
export function verifyTree(run, tool, renderTemplate) {
  run.hosts.forEach((host, index) => {
    for (const item of siteItems(tool)) {
      const [prefix, key] = LOCAL_ROOTS.find(([root]) => item.path.startsWith(root));
      const local = join(host.dirs[key], item.path.slice(prefix.length));
      const stat = lstatSync(local);
      const where = `${tool} on node-${index}: ${item.path}`;
      const type = item.kind === 'directory' ? stat.isDirectory() : stat.isFile();
      if (!type) throw new Error(`${where} is not a ${item.kind === 'directory' ? 'directory' : 'file'}`);
      const want = {
        mode: Number.parseInt(item.mode, 8),
        uid: idOf('passwd', item.owner),
        gid: idOf('group', item.group),
      };
      const got = { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        throw new Error(`${where}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
      if (item.kind === 'directory') continue;
      const content = item.content ?? renderTemplate(item.template, hostVars(index));
      if (readFileSync(local, 'utf8') !== content) throw new Error(`${where}: content differs from the spec`);
    }
  });
}
