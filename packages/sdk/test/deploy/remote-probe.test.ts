import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSystemCommand, reportMissing } from '@fleet/test-utils/system-deps';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import type { PathInfo, ProbeRequest } from '../../src/deploy/executor.ts';
import { PROBE_SCRIPT, parseProbeOutput, probeInput } from '../../src/deploy/internal/remote-probe.ts';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';

// The probe as SshExecutor runs it on a host, here run by this machine's sh (as this user, or as
// uid 65534 through setpriv).
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const canSwitchUser =
  (process.getuid?.() === 0 || reportMissing('running the probe as uid 65534 needs root')) &&
  hasSystemCommand('setpriv', 'util-linux');

function probeWithScript(requests: readonly ProbeRequest[], as: readonly string[] = []): PathInfo[] {
  const argv = [...as, 'sh', '-c', PROBE_SCRIPT, 'sh'];
  const result = spawnSync(argv[0]!, argv.slice(1), { input: probeInput(requests), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the probe exited with ${result.status}: ${result.stderr}`);
  return parseProbeOutput(requests, result.stdout);
}

describe('the remote probe script', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-remote-probe-'));
    // Anyone may look in it; the files decide who may read them.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'open'), 'hello\n', { mode: 0o644 });
    writeFileSync(join(dir, 'big'), 'x'.repeat(100), { mode: 0o644 });
    writeFileSync(join(dir, 'secret'), 'TOKEN=s3cret\n', { mode: 0o600 });
    symlinkSync('open', join(dir, 'link'));
    mkdirSync(join(dir, 'sub'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reports what LocalExecutor reports: file, big file, symlink, directory, nothing', async () => {
    const requests: ProbeRequest[] = [
      { path: join(dir, 'open'), content: true },
      { path: join(dir, 'big'), content: true, maxBytes: 10 },
      { path: join(dir, 'link'), content: true },
      { path: join(dir, 'sub') },
      { path: join(dir, 'missing'), content: true },
      { path: join(dir, 'open', 'under-a-file') },
    ];
    expect(probeWithScript(requests)).toEqual(await new LocalExecutor().probe(requests));
  });

  test('content cut short on its way is an error, never a shorter file', () => {
    writeFileSync(join(dir, 'long'), 'z'.repeat(3000));
    const requests: ProbeRequest[] = [{ path: join(dir, 'long'), content: true }];
    const result = spawnSync('sh', ['-c', PROBE_SCRIPT, 'sh'], { input: probeInput(requests), encoding: 'utf8' });
    expect(parseProbeOutput(requests, result.stdout)[0]).toMatchObject({ size: 3000, content: 'z'.repeat(3000) });
    // What a channel closed early leaves: the line's base64 ends early (at a whole 4-character group).
    const cut = result.stdout.replace(/\n$/, '').slice(0, -400);
    expect(() => parseProbeOutput(requests, cut)).toThrow(
      `Could not probe ${join(dir, 'long')}: its content does not match its SHA-256 (2700 of 3000 bytes arrived; cut short, or the file changed while it was read)`,
    );
  });

  test.skipIf(!canSwitchUser)('a file it cannot read is an error, never an empty file', () => {
    const secret = join(dir, 'secret');
    const error = (() => {
      try {
        return probeWithScript(
          [
            { path: join(dir, 'open'), content: true },
            { path: secret, content: true },
          ],
          NOBODY,
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect((error as Error).message).toMatch(
      new RegExp(`^Could not probe ${secret}: .*cannot open ${secret}: Permission denied$`),
    );
    // Looking at it needs no read permission: without its content it is there, as it is.
    expect(probeWithScript([{ path: secret }], NOBODY)).toEqual([
      { path: secret, exists: true, type: 'file', mode: 0o600, uid: 0, gid: 0, owner: 'root', group: 'root', size: 13 },
    ]);
  });
});
