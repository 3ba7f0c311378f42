// The Ansible side of the deploy benchmark: a project (ansible.cfg, inventory, playbook, templates)
// that deploys the same site as Fleet's plan, on the same test hosts over the same SSH, and what it
// takes to run it and read its result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostVars, siteItems } from './_deploy-site.mjs';

/** `ansible-playbook`'s ansible-core version, or undefined when it is not installed. */
export function ansiblePlaybookVersion() {
  const probe = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? (/ansible-playbook \[core ([^\]]+)\]/.exec(probe.stdout)?.[1] ?? 'unknown') : undefined;
}

/**
 * Writes into `dir` an Ansible project that deploys the site as `tool` on the test hosts of `run`:
 * one play, gather_facts off, loops of `file`, `copy` (content:) and `template` labelled by path.
 * Returns its directory and its SSH control-socket directory.
 */
export function writeAnsibleProject(dir, tool, run, pipelining) {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  const hosts = Object.fromEntries(
    run.hosts.map((host, index) => [
      `node-${index}`,
      {
        ansible_host: host.address,
        ansible_user: 'root',
        ansible_ssh_private_key_file: run.clientKey.privateKeyPath,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${run.knownHostsPath} -o StrictHostKeyChecking=yes`,
        ...hostVars(index),
      },
    ]),
  );
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify({ all: { hosts } }, null, 2));
  const items = siteItems(tool);
  const attributes = ({ path, owner, group, mode }) => ({ path, owner, group, mode });
  const templated = (item) => {
    writeFileSync(join(dir, 'templates', `${item.key}.j2`), item.template);
    return { ...attributes(item), src: `${item.key}.j2` };
  };
  const vars = {
    bench_dirs: items.filter((item) => item.kind === 'directory').map(attributes),
    bench_files: items
      .filter((item) => item.kind === 'file')
      .map((item) => ({ ...attributes(item), content: item.content })),
    bench_templates: items.filter((item) => item.kind === 'template' && item.key.startsWith('svc-')).map(templated),
    bench_units: items.filter((item) => item.key.startsWith('unit-')).map(templated),
  };
  writeFileSync(join(dir, 'items.json'), JSON.stringify(vars, null, 2));
  const owned = [
    '        owner: "{{ item.owner }}"',
    '        group: "{{ item.group }}"',
    '        mode: "{{ item.mode }}"',
  ];
  const task = (name, module, lines, loop) => [
    `    - name: ${name}`,
    `      ${module}:`,
    ...lines,
    ...owned,
    `      loop: "{{ ${loop} }}"`,
    '      loop_control:',
    '        label: "{{ item.path }}"',
  ];
  const playbook = [
    '- name: benchmark site',
    '  hosts: all',
    '  gather_facts: false',
    '  vars_files:',
    '    - items.json',
    '  tasks:',
    ...task(
      'directories',
      'ansible.builtin.file',
      ['        path: "{{ item.path }}"', '        state: directory'],
      'bench_dirs',
    ),
    ...task(
      'literal files',
      'ansible.builtin.copy',
      ['        dest: "{{ item.path }}"', '        content: "{{ item.content }}"'],
      'bench_files',
    ),
    ...task(
      'config templates',
      'ansible.builtin.template',
      ['        src: "{{ item.src }}"', '        dest: "{{ item.path }}"'],
      'bench_templates',
    ),
    ...task(
      'systemd units',
      'ansible.builtin.template',
      ['        src: "{{ item.src }}"', '        dest: "{{ item.path }}"'],
      'bench_units',
    ),
    '',
  ];
  writeFileSync(join(dir, 'site.yml'), playbook.join('\n'));
  const controlDir = join(dir, 'cp');
  mkdirSync(controlDir);
  writeFileSync(
    join(dir, 'ansible.cfg'),
    [
      '[defaults]',
      'inventory = inventory.json',
      'interpreter_python = /usr/bin/python3',
      '[ssh_connection]',
      `control_path_dir = ${controlDir}`,
      `pipelining = ${pipelining ? 'True' : 'False'}`,
      '',
    ].join('\n'),
  );
  return { dir, controlDir };
}

/**
 * Checks an `ansible-playbook` run's PLAY RECAP: a line for each of `hostCount` hosts, `changed`
 * tasks each, nothing unreachable or failed. Throws with the output otherwise.
 */
export function checkRecap(stdout, hostCount, expectChanged) {
  const recap = [...stdout.matchAll(/^(node-\d+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  if (recap.length !== hostCount)
    throw new Error(`ansible-playbook printed no recap for every host\n${stdout.slice(-4000)}`);
  for (const [, host, , changed, unreachable, failed] of recap) {
    if (Number(changed) !== expectChanged || Number(unreachable) + Number(failed) > 0) {
      throw new Error(`Ansible on ${host}: changed=${changed} (expected ${expectChanged})\n${stdout.slice(-4000)}`);
    }
  }
}

/** The `ansible-playbook` command line of a project from {@link writeAnsibleProject}. */
export function playbookCommand(project) {
  return {
    command: 'ansible-playbook',
    args: ['site.yml'],
    options: {
      cwd: project.dir,
      env: { ...process.env, ANSIBLE_CONFIG: join(project.dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
    },
  };
}

/** Ends the SSH control masters Ansible left running (ControlPersist) in `controlDir`. */
export function closeControlMasters(controlDir) {
  if (!existsSync(controlDir)) return;
  for (const socket of readdirSync(controlDir)) {
    spawnSync('ssh', ['-o', `ControlPath=${join(controlDir, socket)}`, '-O', 'exit', 'bench'], { stdio: 'ignore' });
  }
}
