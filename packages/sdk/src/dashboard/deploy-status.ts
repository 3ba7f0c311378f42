import { z } from 'zod';
import { intFromQuery } from '../schemas/common.ts';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { listFields } from '../schemas/list.ts';

// These schemas are part of the root entry (the dashboard's contract), so they build their fields on
// first use and do not import the deploy runner's schemas (`@fleet/sdk/deploy`): those would be
// built whenever `@fleet/sdk` is imported. The dashboard checks each event against the full
// `DeployRunEvent` schema when it applies it (`DeployRunLog`).

/** A run as the dashboard shows it: `running` until its `run_finished`, then how it ended. */
export const DashboardDeployStatus = z.enum(['running', 'ok', 'changed', 'failed', 'aborted']);
export type DashboardDeployStatus = z.infer<typeof DashboardDeployStatus>;

const runInfoShape = () => ({
  id: described(
    z.string().check(z.minLength(1), z.maxLength(200)),
    'The run id, as the deploy lock and history name it',
  ),
  trigger: described(
    z.string().check(z.minLength(1), z.maxLength(100)),
    'What started it: `cli`, `webhook`, `rollback`, ...',
  ),
  mode: described(z.enum(['plan', 'apply']), '`apply` changes the hosts, `plan` only says what would change'),
  user: described(z.string().check(z.maxLength(200)).optional(), 'Who started it'),
  from: described(z.string().check(z.maxLength(200)).optional(), 'The machine it ran from'),
  commit: described(z.string().check(z.maxLength(200)).optional(), 'The commit deployed'),
  message: described(z.string().check(z.maxLength(1000)).optional(), 'Why, in a few words'),
});

/** Who started a run and what it deploys: sent with every batch of its events. */
export const DeployRunInfo = z.object(lazyShape(runInfoShape));
export type DeployRunInfo = z.infer<typeof DeployRunInfo>;

/**
 * One event of a deploy as the wire carries it: a `DeployRunEvent` of `@fleet/sdk/deploy` (what
 * the deployer's `onEvent` gets), checked in full by the dashboard when it applies the batch.
 */
export const DeployRunEventWire = z.looseObject(
  lazyShape(() => ({
    type: described(z.string().check(z.minLength(1)), 'The event type: `run_started`, `host_started`, ...'),
    at: described(z.iso.datetime(), 'When it happened'),
  })),
);
export type DeployRunEventWire = z.infer<typeof DeployRunEventWire>;

/** Body of `POST /api/deploys/events`: a run and some of its events, in the order they happened. */
export const DeployEventsInput = z.object(
  lazyShape(() => ({
    run: described(DeployRunInfo, 'The run the events belong to (the same with every batch)'),
    events: described(
      z.array(DeployRunEventWire).check(z.maxLength(1000)),
      "The run's events (DeployRunEvent of @fleet/sdk/deploy), oldest first, as the deployer's onEvent got them",
    ),
  })),
);
export type DeployEventsInput = z.infer<typeof DeployEventsInput>;

/** Answer of `POST /api/deploys/events`. */
export const DeployEventsAccepted = z.object(
  lazyShape(() => ({
    accepted: described(z.int().check(z.nonnegative()), 'How many events were applied'),
    deploying: described(
      z.array(z.string()),
      'The hosts of this run being deployed now (their targets show `deploying`)',
    ),
  })),
);
export type DeployEventsAccepted = z.infer<typeof DeployEventsAccepted>;

/** One host of a run on the dashboard: live while it deploys, then its result. */
export const DashboardDeployHost = z.object(
  lazyShape(() => ({
    host: described(z.string(), 'The host, as the fleet file names it'),
    status: described(
      z.enum(['waiting', 'running', 'ok', 'changed', 'failed']),
      '`waiting` for its batch, `running` (its targets show `deploying`), then its result',
    ),
    phase: described(z.string().optional(), 'While running: the phase it is in'),
    step: described(z.string().optional(), 'While running: the step it is in'),
    aborted: described(z.boolean().optional(), 'Its deploy was stopped before it finished'),
    durationMs: described(z.number().check(z.nonnegative()).optional(), 'How long its deploy took, once finished'),
    rollback: described(z.enum(['running', 'ok', 'failed']).optional(), 'A rollback of this host in this run'),
  })),
);
export type DashboardDeployHost = z.infer<typeof DashboardDeployHost>;

/** A deploy run as the dashboard knows it from the events the deployer posted. */
export const DashboardDeployRun = z.object(
  lazyShape(() => ({
    ...runInfoShape(),
    status: described(DashboardDeployStatus, '`running` until the run finished, then how it ended'),
    startedAt: described(z.iso.datetime(), 'When it started (its first event)'),
    finishedAt: described(z.iso.datetime().optional(), 'When it finished'),
    durationMs: described(z.number().check(z.nonnegative()).optional(), 'How long it took, once finished'),
    updatedAt: described(z.iso.datetime(), 'When its last event happened'),
    hosts: described(z.array(DashboardDeployHost), 'Each host of the run, in batch order'),
    problems: described(z.array(z.string()), 'Failed health gates and rollbacks, as one line each'),
  })),
);
export type DashboardDeployRun = z.infer<typeof DashboardDeployRun>;

/** Answer of `GET /api/deploys`: recent runs, newest first, and the failure to show until a good run. */
export const DashboardDeploys = z.object(
  lazyShape(() => ({
    ...listFields('runs', DashboardDeployRun, 'Recent runs, newest first'),
    failed: described(
      DashboardDeployRun.nullable(),
      'The last finished apply run, when it failed (shown at the top of the overview until the next good one)',
    ),
  })),
);
export type DashboardDeploys = z.infer<typeof DashboardDeploys>;

/** Query of `GET /api/deploys`. */
export const DashboardDeploysQuery = z.strictObject(
  lazyShape(() => ({
    limit: intFromQuery({ min: 1, max: 200, description: 'How many runs, newest first; default 20' }),
  })),
);
export type DashboardDeploysQuery = z.infer<typeof DashboardDeploysQuery>;
