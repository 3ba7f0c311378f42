/**
 * `@fleet/sdk/deploy`: the deploy phase runner. A plan is phases of typed steps, each with a
 * read-only check and an apply, run on one host through an `Executor` (`LocalExecutor`, or
 * `SshExecutor` over one reused ssh2 connection), in plan mode (what would change, changing
 * nothing) or apply mode, with handlers and redacted secrets. And the SSH host-key checks the SSH executor uses: an OpenSSH
 * `known_hosts` parser and an ssh2 host verifier that fails closed.
 * On top, through any `Executor`: Capistrano-style releases (`current` and `previous` swapped
 * atomically), the deploy lock on a lock host (TTL, heartbeat, takeover), and run history.
 *
 * Needs the optional peer dependency `diff` (file diffs in plan mode): `npm install diff`; and
 * `ssh2` for `SshExecutor` (`npm install ssh2@^1.17.0`), loaded when it first connects.
 */

// Running a plan
export { runPlan } from './run-plan.ts';
export { mergeHostResults } from './merge-host-results.ts';
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
export { isSystemdUnitName, SYSTEMD_UNIT_DIR, systemdUnitPath, systemdUnitStep } from './steps/systemd-unit.ts';
export { renderUnit, systemdCommandWord, UNIT_HARDENING } from './systemd-unit.ts';
export { serviceStep } from './steps/service.ts';
export { healthStep } from './steps/health.ts';

// Results and events
export { HandlerResult, OUTPUT_TAIL_CHARS, StepChange, StepResult, StepStatus } from './step-result.ts';
export { DeployMode, HostResult, PhaseResult, PhaseStatus, ResultCounts } from './host-result.ts';
export { DeployEvent } from './deploy-event.ts';
export { DeployRunEvent, RolloutEvent } from './rollout-event.ts';

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

// Releases: <base>/releases/<id>, with current and previous symlinks swapped atomically
export { activateRelease } from './releases/activate-release.ts';
export { activateReleaseStep } from './releases/activate-release-step.ts';
export { listReleases } from './releases/list-releases.ts';
export { DEFAULT_KEEP_RELEASES, pruneReleases, releasesToPrune } from './releases/prune-releases.ts';
export { pruneReleasesStep } from './releases/prune-releases-step.ts';
export { isReleaseId, releaseId, releasePath } from './releases/release-id.ts';
export { rollbackRelease } from './releases/rollback-release.ts';
export {
  clearUnverifiedRelease,
  markReleaseUnverified,
  unverifiedPath,
  unverifiedRelease,
} from './releases/unverified-release.ts';

// The deploy lock, on the lock host: mkdir, owner.json, TTL and heartbeat
export { acquireDeployLock } from './lock/acquire-deploy-lock.ts';
export {
  DEFAULT_DEPLOY_LOCK_DIR,
  DEFAULT_DEPLOY_LOCK_HEARTBEAT_MS,
  DEFAULT_DEPLOY_LOCK_TTL_MS,
  DeployLockOwner,
} from './lock/deploy-lock-owner.ts';
export { DeployLockError, isDeployLockError } from './lock/deploy-lock-error.ts';
export { forceUnlock } from './lock/force-unlock.ts';
export { readDeployLock } from './lock/read-deploy-lock.ts';
export { releaseOnSignals } from './lock/release-on-signals.ts';

// Run history, JSON Lines on the lock host
export {
  DeployRun,
  DeployRunStatus,
  DeployRunSummary,
  deployRunStatus,
  summarizeDeployRun,
} from './history/deploy-run.ts';
export { planHash } from './history/plan-hash.ts';
export { readDeployHistory } from './history/read-deploy-history.ts';
export {
  DEFAULT_DEPLOY_HISTORY_FILE,
  DEFAULT_DEPLOY_HISTORY_KEEP,
  recordDeployRun,
} from './history/record-deploy-run.ts';

// The deploy webhook: signatures, push events, the one-at-a-time queue
export { signWebhookBody, verifyWebhookSignature } from '../deploy-hook/verify-signature.ts';
export { PushEvent, pusherName, readWebhookDelivery } from '../deploy-hook/push-event.ts';
export { DeployQueue } from '../deploy-hook/deploy-queue.ts';
export { fullRef, handleWebhook } from '../deploy-hook/handle-webhook.ts';
export { listHookDeploys } from '../deploy-hook/list-hook-deploys.ts';

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
export type { ActivateReleaseStepOptions } from './releases/activate-release-step.ts';
export type { ReleaseSwitch } from './releases/activate-release.ts';
export type { ReleaseList } from './releases/list-releases.ts';
export type { PruneReleasesOptions, PruneReleasesResult } from './releases/prune-releases.ts';
export type { PruneReleasesStepOptions } from './releases/prune-releases-step.ts';
export type { RollbackReleaseOptions } from './releases/rollback-release.ts';
export type { UnverifiedRelease } from './releases/unverified-release.ts';
export type { AcquireDeployLockOptions } from './lock/acquire-deploy-lock.ts';
export type { DeployLock } from './lock/deploy-lock.ts';
export type { DeployLockHolder } from './lock/deploy-lock-owner.ts';
export type { DeployLockErrorCode } from './lock/deploy-lock-error.ts';
export type { DeployLockStatus } from './lock/deploy-lock-status.ts';
export type { ForceUnlockOptions, ForceUnlockResult } from './lock/force-unlock.ts';
export type { ReadDeployLockOptions } from './lock/read-deploy-lock.ts';
export type { ReleaseOnSignalsOptions } from './lock/release-on-signals.ts';
export type { DeployHistory, DeployHistoryProblem, ReadDeployHistoryOptions } from './history/read-deploy-history.ts';
export type { RecordDeployRunOptions } from './history/record-deploy-run.ts';
export type {
  VerifyWebhookSignatureOptions,
  WebhookHeaders,
  WebhookSignatureCheck,
  WebhookSignatureFormat,
} from '../deploy-hook/verify-signature.ts';
export type { WebhookDelivery } from '../deploy-hook/push-event.ts';
export type {
  DeployFunction,
  DeployJob,
  DeployJobOutcome,
  DeployQueueOptions,
  OfferResult,
} from '../deploy-hook/deploy-queue.ts';
export type { WebhookTarget } from '../deploy-hook/handle-webhook.ts';
export type { DeployHookHistory, ListHookDeploysOptions } from '../deploy-hook/list-hook-deploys.ts';
