import {
  activateReleaseStep,
  directoryStep,
  fileStep,
  groupStep,
  healthStep,
  type Phase,
  type Plan,
  packagesStep,
  pruneReleasesStep,
  releaseId,
  type Step,
  serviceStep,
  systemdUnitStep,
  userStep,
} from '@fleet/sdk/deploy';
import { type DeploySpec, deploySettings, type Fleet } from '@fleet/sdk/fleet';
import type { ReleaseBundle } from '../bundle/build-release-bundle.ts';
import { releaseBundleStep } from '../steps/release-bundle-step.ts';
import { hostServices } from './host-services.ts';
import { type SiteLayout, siteLayout } from './layout.ts';
import { nodeStep, preflightSteps } from './preflight.ts';
import { type ReleaseContent, releaseContent } from './release-files.ts';
import { retiredUnitsStep } from './retired-units-step.ts';
import type { HostService, ServicePhase } from './service-types.ts';
import { serviceUnitText } from './unit-file.ts';

/** The phases of a site deploy, in order; each can run alone. */
export const SITE_PHASES = [
  'preflight',
  'baseline',
  'release',
  'fleet',
  'ollama',
  'gitea',
  'conduit',
  'wizards',
] as const;
/** A phase of {@link SITE_PHASES}. */
export type SitePhase = (typeof SITE_PHASES)[number];

/** What {@link sitePlan} builds a host's plan from. */
export interface SitePlanInput {
  fleet: Fleet;
  /** The fleet file's text, as the host's knowledge nodes and dashboard load it (`${ENV}` references kept). */
  fleetText: string;
  host: string;
  /** The release bundle of Fleet's own code; needed when the host runs Fleet's servers or default wizards. */
  bundle?: Pick<ReleaseBundle, 'file' | 'sha256' | 'id' | 'bins'>;
  /** The phases to run. @default every phase */
  phases?: readonly SitePhase[];
  /** The releases already on the host (see `listReleases`): one with the same content is reused. @default none */
  releases?: readonly string[];
  /** The release `current` points to on the host (see `listReleases`). @default none */
  current?: string;
  /** The time in a new release's name. @default now */
  now?: Date;
}

/** A host's site: its plan, and what the deployer needs besides it (release, gate, rollback). */
export interface Site {
  host: string;
  plan: Plan;
  services: HostService[];
  /** The release hash: a release directory whose name ends in `-<hash>` holds exactly this content. */
  releaseHash: string;
  /** The release the plan installs and activates. */
  releaseId: string;
  settings: DeploySpec;
  /** The release base (`<root>/app`). */
  appBase: string;
  /** Each unit file the plan writes, by unit name, as written (and as the release keeps it under `units/`). */
  units: Record<string, string>;
}

function restartHandler(unit: string): string {
  return `restart ${unit}`;
}

/** What a host runs and its release holds, with the hash that names the release, without building the plan. */
export interface SiteRelease {
  services: HostService[];
  content: ReleaseContent;
  /** `content.hash`. */
  hash: string;
  settings: DeploySpec;
  layout: SiteLayout;
  appBase: string;
}

/** {@link SiteRelease} of a host: what the deployer needs to find the release already on it. */
export function siteRelease(input: SitePlanInput): SiteRelease {
  const settings = deploySettings(input.fleet);
  const layout = siteLayout(settings);
  const services = hostServices({
    fleet: input.fleet,
    host: input.host,
    layout,
    node: settings.node,
    bins: input.bundle?.bins ?? {},
  });
  const content = releaseContent(services, input.fleetText, input.bundle?.sha256, (service, inputs) =>
    serviceUnitText(service, settings, layout.currentEtc, inputs),
  );
  return { services, content, hash: content.hash, settings, layout, appBase: layout.appBase };
}

/**
 * The plan that makes one host what the fleet file says, phase by phase:
 * - **preflight**: Debian-like OS with systemd, disk space, clock skew, each port free or held by its own service;
 * - **baseline**: the service user and group, Fleet's directories, Debian packages the file names, Node.js ≥ 20;
 * - **release**: the code (release bundle), every config and environment file (`etc/`) and a copy of every unit file
 *   (`units/`, what a rollback puts back) in `releases/<id>`, `current` swapped, the units Fleet wrote for services
 *   the file no longer puts on the host stopped, disabled and removed, old releases pruned;
 * - **fleet**, **ollama**, **gitea**, **conduit**, **wizards**: each service's hardened unit, enabled and started; a unit
 *   whose process's inputs changed is restarted once, at the end of its phase.
 * The release is the newest of `releases` (those on the host) whose name ends in `-<releaseHash>`, so an
 * unchanged redeploy changes nothing; else a new one named by `now` and the hash.
 */
export function sitePlan(input: SitePlanInput): Site {
  const { settings, layout, services, content } = siteRelease(input);
  const wanted = new Set<SitePhase>(input.phases ?? SITE_PHASES);
  const usesBundle = services.some((service) => service.usesBundle);
  const suffix = `-${content.hash}`;
  const id = input.releases?.filter((name) => name.endsWith(suffix)).at(-1) ?? `${releaseId(input.now)}${suffix}`;
  const release = layout.release(id);
  const secrets = [...new Set(services.flatMap((service) => service.secrets))];

  const phases: Phase[] = [];
  const add = (name: SitePhase, steps: Step[]) => {
    if (wanted.has(name) && steps.length > 0) phases.push({ name, steps });
  };

  add('preflight', preflightSteps({ settings, services, usesBundle }));

  const packages = [
    ...new Set(
      services.flatMap((service) => {
        const install = input.fleet.services[service.name]?.install;
        return install?.package ? [install.package] : [];
      }),
    ),
  ];
  add('baseline', [
    groupStep({ group: settings.user, system: true }),
    userStep({
      user: settings.user,
      group: settings.user,
      system: true,
      home: settings.state,
      shell: '/usr/sbin/nologin',
    }),
    directoryStep({ path: settings.root, owner: 'root', group: 'root', mode: '0755' }),
    directoryStep({ path: layout.appBase, owner: 'root', group: 'root', mode: '0755' }),
    directoryStep({ path: `${layout.appBase}/releases`, owner: 'root', group: 'root', mode: '0755' }),
    directoryStep({ path: settings.state, owner: 'root', group: 'root', mode: '0755' }),
    ...services.map((service) =>
      directoryStep({ path: layout.state(service.name), owner: settings.user, group: settings.user, mode: '0700' }),
    ),
    ...(packages.length > 0 ? [packagesStep({ packages })] : []),
    ...(usesBundle ? [nodeStep(settings.node)] : []),
  ]);

  const releaseSteps: Step[] = [];
  if (services.length > 0) {
    if (usesBundle) {
      if (!input.bundle) throw new Error(`host ${input.host} runs Fleet's code but no release bundle was given`);
      // Named by the hash of code and config together: a config change is a new release too.
      const bundle = { ...input.bundle, id: content.hash };
      releaseSteps.push(releaseBundleStep({ base: layout.appBase, bundle, id }));
    } else {
      releaseSteps.push(directoryStep({ path: release, owner: 'root', group: 'root', mode: '0755' }));
    }
    releaseSteps.push(directoryStep({ path: `${release}/etc`, owner: 'root', group: settings.user, mode: '0750' }));
    const dirs = new Set(content.files.map((file) => file.name.split('/').slice(0, -1).join('/')).filter(Boolean));
    for (const dir of dirs) {
      releaseSteps.push(
        directoryStep({ path: `${release}/etc/${dir}`, owner: 'root', group: settings.user, mode: '0750' }),
      );
    }
    // In a new release every file is new and the units' inputs say what to restart. A file of the
    // current release that differs was edited there: putting it back restarts its readers. A release
    // not current yet (one a killed run began) has no readers: its units' inputs say what to restart.
    const reused = (input.releases?.includes(id) ?? false) && input.current === id;
    for (const file of content.files) {
      releaseSteps.push(
        fileStep({
          path: `${release}/etc/${file.name}`,
          content: file.content,
          owner: 'root',
          group: file.mode === '0600' ? 'root' : settings.user,
          mode: file.mode,
          secrets,
          notify: reused ? (file.readers ?? []).map(restartHandler) : [],
        }),
      );
    }
    // What a rollback to this release puts back in /etc/systemd/system. No diff: the unit steps
    // below show the same text's.
    const units = layout.releaseUnits(id);
    releaseSteps.push(directoryStep({ path: units, owner: 'root', group: 'root', mode: '0755' }));
    for (const [unit, text] of Object.entries(content.units)) {
      const copy = { path: `${units}/${unit}`, content: text, owner: 'root', group: 'root', mode: '0644' };
      releaseSteps.push(fileStep({ ...copy, secrets, diff: false }));
    }
    // Gated: a run killed before the health gate leaves the release marked unverified, for the next
    // run to gate and, when it fails, roll back to the last release that passed (deployHost).
    releaseSteps.push(activateReleaseStep({ base: layout.appBase, id, gated: true }));
  }
  // A unit of a service the file no longer puts here reads its settings from `current`, which no
  // longer has them: it goes as the release that dropped it comes in. A rollback puts it back.
  releaseSteps.push(retiredUnitsStep({ keep: services.map((service) => service.unit) }));
  if (services.length > 0) {
    releaseSteps.push(pruneReleasesStep({ base: layout.appBase, keep: settings.keepReleases }));
  }
  add('release', releaseSteps);

  const handlers: Record<string, Step> = {};
  for (const phase of ['fleet', 'ollama', 'gitea', 'conduit', 'wizards'] as const satisfies readonly ServicePhase[]) {
    const steps: Step[] = [];
    for (const service of services.filter((candidate) => candidate.phase === phase)) {
      steps.push(
        systemdUnitStep({
          unit: service.unit,
          content: content.units[service.unit] ?? '',
          notify: restartHandler(service.unit),
        }),
        serviceStep({ unit: service.unit, enabled: true, state: 'started' }),
      );
      handlers[restartHandler(service.unit)] = serviceStep({ unit: service.unit, action: 'restart' });
    }
    add(phase, steps);
  }

  return {
    host: input.host,
    plan: { phases, handlers, secrets, pendingHandlers: layout.pendingHandlers },
    services,
    releaseHash: content.hash,
    releaseId: id,
    settings,
    appBase: layout.appBase,
    units: content.units,
  };
}

/**
 * The health gate of a host's services: each must pass its health check `gate.successes` times in
 * a row within `gate.timeout`, probed from the deployer's machine as the monitor probes it.
 */
export function gatePlan(site: Site): Plan {
  const { gate } = site.settings;
  const steps = site.services.map((service) =>
    healthStep({
      name: `health ${service.name}`,
      url: service.health.url,
      conditions: service.health.conditions,
      headers: service.health.headers,
      successes: gate.successes,
      timeoutMs: gate.timeout,
      intervalMs: gate.interval,
      secrets: service.secrets,
    }),
  );
  return { phases: steps.length > 0 ? [{ name: 'gate', steps }] : [], secrets: site.plan.secrets ?? [] };
}
