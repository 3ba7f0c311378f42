import { spawnSync } from 'node:child_process';

/**
 * Whether a command from a Debian package is on this machine. When it is missing the test skips
 * with a loud message, or fails when `FLEET_REQUIRE_SYSTEM_DEPS=1` (as `.ci/run` sets).
 */
export function hasSystemCommand(command: string, debianPackage: string): boolean {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return true;
  const message = `${command} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`;
  if (process.env.FLEET_REQUIRE_SYSTEM_DEPS === '1') {
    throw new Error(`${message}; FLEET_REQUIRE_SYSTEM_DEPS=1 makes a missing system dependency a failure`);
  }
  console.warn(`\n!!!!!! SKIPPING TESTS: ${message} !!!!!!\n`);
  return false;
}
