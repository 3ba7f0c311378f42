/**
 * `@fleet/sdk/deploy`: the deploy phase runner. A plan is phases of typed steps, each with a
 * read-only check and an apply, run on one host through an `Executor` (`LocalExecutor`, or
 * `SshExecutor` over one reused ssh2 connection), in plan mode (what would change, changing
 * nothing) or apply mode, with handlers and redacted secrets. And the SSH host-key checks the SSH executor uses: an OpenSSH
 * `known_hosts` parser and an ssh2 host verifier that fails closed.
 *
 * Needs the optional peer dependency `diff` (file diffs in plan mode): `npm install diff`; and
 * `ssh2` for `SshExecutor` (`npm install ssh2@^1.17.0`), loaded when it first connects.
 */

// Running a plan
export { runPlan } from './run-plan.ts';
export { planProblems, planSecrets } from './plan.ts';
export { LocalExecutor } from './local-executor.ts';
export { SshExecutor } from './ssh-executor.ts';
export { renderTemplate } from './template.ts';
export { DeployError, isDeployError } from './errors.ts';

// Step kinds
export { stepBase } from './step.ts';
export { assertStep } from './steps/assert.ts';
export { commandStep } from './steps/command.ts';
export { directoryStep } from './steps/directory.ts';
export { fileStep } from './steps/file.ts';
export { symlinkStep } from './steps/symlink.ts';
export { groupStep } from './steps/group.ts';
export { userStep } from './steps/user.ts';
export { packagesStep } from './steps/packages.ts';
export { systemdUnitStep } from './steps/systemd-unit.ts';
export { renderUnit, UNIT_HARDENING } from './systemd-unit.ts';
export { serviceStep } from './steps/service.ts';
export { healthStep } from './steps/health.ts';

// Results and events
export { HandlerResult, OUTPUT_TAIL_CHARS, StepChange, StepResult, StepStatus } from './step-result.ts';
export { DeployMode, HostResult, PhaseResult, PhaseStatus, ResultCounts } from './host-result.ts';
export { DeployEvent } from './deploy-event.ts';

// SSH host keys
export { parseKnownHosts } from './ssh/parse-known-hosts.ts';
export { loadKnownHosts } from './ssh/load-known-hosts.ts';
export { checkHostKey } from './ssh/check-host-key.ts';
export { createHostVerifier } from './ssh/host-verifier.ts';
export { recordHostKey } from './ssh/record-host-key.ts';
export { hostKeyFingerprint } from './ssh/fingerprint.ts';
export { keyBlobType } from './ssh/key-blob.ts';
export { DEFAULT_SSH_PORT, hostAndPort, knownHostsName } from './ssh/known-hosts-name.ts';
export { hashKnownHostsName, matchesHashedName } from './ssh/hashed-name.ts';
export { entryMatchesName, hostKeyEntries, knownHostKeyTypes } from './ssh/match-host.ts';
export { hostKeyAlgorithms } from './ssh/host-key-algorithms.ts';
export { HostKeyError, isHostKeyError } from './ssh/host-key-error.ts';

// Types
export type { RunPlanOptions } from './run-plan.ts';
export type { Phase, Plan } from './plan.ts';
export type { LocalExecutorOptions } from './local-executor.ts';
export type { SshExecutorOptions, SshExecutorStats } from './ssh-executor-options.ts';
export type { TemplateValue, TemplateVars } from './template.ts';
export type { DeployErrorCode } from './errors.ts';
export type { ApplyOutcome, CheckResult, Step, StepContext, StepOptions } from './step.ts';
export type { AssertStepOptions } from './steps/assert.ts';
export type { CommandStepOptions } from './steps/command.ts';
export type { DirectoryStepOptions } from './steps/directory.ts';
export type { FileStepOptions } from './steps/file.ts';
export type { SymlinkStepOptions } from './steps/symlink.ts';
export type { GroupStepOptions } from './steps/group.ts';
export type { UserStepOptions } from './steps/user.ts';
export type { PackagesStepOptions } from './steps/packages.ts';
export type { SystemdUnitStepOptions } from './steps/systemd-unit.ts';
export type { SystemdUnit, UnitValue } from './systemd-unit.ts';
export type { ServiceStepOptions } from './steps/service.ts';
export type { HealthStepOptions } from './steps/health.ts';
export type { DeployEventType } from './deploy-event.ts';
export type {
  Command,
  ExistingPath,
  Executor,
  PathAttributes,
  PathInfo,
  PathType,
  ProbeRequest,
  RunOptions,
  RunResult,
} from './executor.ts';
export type {
  KnownHosts,
  KnownHostsEntry,
  KnownHostsHosts,
  KnownHostsMarker,
  KnownHostsParseResult,
  KnownHostsProblem,
  HostPattern,
} from './ssh/known-hosts.ts';
export type { ParseKnownHostsOptions } from './ssh/parse-known-hosts.ts';
export type {
  ChangedHostKey,
  HostKeyCheck,
  HostKeyDescription,
  KnownHostKey,
  RevokedHostKey,
  TrustedHostKey,
  UnknownHostKey,
} from './ssh/check-host-key.ts';
export type { HostVerifierOptions, KnownHostsVerifier } from './ssh/host-verifier.ts';
export type { RecordHostKeyOptions, RecordHostKeyResult } from './ssh/record-host-key.ts';
export type { HashedName } from './ssh/hashed-name.ts';
export type { ServerHostKeyAlgorithm } from './ssh/host-key-algorithms.ts';
export type { HostKeyErrorCode, RefusedHostKey } from './ssh/host-key-error.ts';
