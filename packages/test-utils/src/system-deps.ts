import { spawnSync } from 'node:child_process';

/**
 * The missing-dependency rule: says `message` loudly and returns false so the suite can skip, or
 * throws when `FLEET_REQUIRE_SYSTEM_DEPS=1` (as `.ci/run` sets).
 *
 * @example
 * if (process.getuid?.() !== 0) return reportMissing('these tests need root');
 */
export function reportMissing(message: string): false {
  if (process.env.FLEET_REQUIRE_SYSTEM_DEPS === '1') {
    throw new Error(`${message}; FLEET_REQUIRE_SYSTEM_DEPS=1 makes a missing system dependency a failure`);
  }
  console.warn(`\n!!!!!! SKIPPING TESTS: ${message} !!!!!!\n`);
  return false;
}

/**
 * Whether a command from a Debian package is on this machine. When it is missing the test skips
 * with a loud message, or fails when `FLEET_REQUIRE_SYSTEM_DEPS=1` (as `.ci/run` sets).
 */
export function hasSystemCommand(command: string, debianPackage: string): boolean {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return true;
  return reportMissing(
    `${command} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`,
  );
}
