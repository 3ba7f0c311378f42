/**
 * `@fleet/cli`: the `fleet` command (`fleet up`, `fleet doctor`, `fleet status`) and what it is
 * made of, for scripts and tests that want it in-process.
 */

// The command tree
export { fleetCommand } from './main.ts';

// fleet up
export { startLocalFleet } from './up/start-local-fleet.ts';
export { FleetFileError, prepareFleetFile } from './up/fleet-file.ts';
export { localPlan } from './up/local-plan.ts';
export { formatUrls } from './up/format-urls.ts';

// fleet doctor
export { diagnoseFleet } from './doctor/diagnose.ts';
export { doctorVerdict, formatDoctorReport } from './doctor/format-doctor.ts';

// fleet status
export { formatFleetStatus } from './status/format-status.ts';

// Types
export type { LocalFleet, LocalFleetOptions, LocalFleetUrls } from './up/start-local-fleet.ts';
export type { FleetCheck, PreparedFleetFile } from './up/fleet-file.ts';
export type { LocalPlan, PlannedAgent, PlannedService } from './up/local-plan.ts';
export type { DiagnoseOptions, DoctorReport, DoctorTarget } from './doctor/diagnose.ts';
