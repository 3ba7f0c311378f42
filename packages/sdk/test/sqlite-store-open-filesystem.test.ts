import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { SendInput } from '../src/schemas/message.ts';

// A small tmpfs of its own, remounted read-only or filled up: needs root (or CAP_SYS_ADMIN).
const mountPoint = mkdtempSync(join(tmpdir(), 'fleet-bus-fs-'));
const canMount = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

afterAll(() => {
  if (canMount) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

function refusal(path: string): string {
  try {
    new SqliteMessageStore({ path }).close();
  } catch (error) {
    return (error as Error).message;
  }
  return 'opened';
}

describe.skipIf(!canMount)('SqliteMessageStore on a filesystem it cannot write', () => {
  test('a full disk is refused at open in one line naming the file', () => {
    const filler = join(mountPoint, 'filler');
    // Fill the filesystem to the last block.
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {}
    const path = join(mountPoint, 'full.db');
    try {
      const message = refusal(path);
      expect(message).toContain(path);
      expect(message).toMatch(/full/);
      expect(message).not.toContain('\n');
    } finally {
      rmSync(filler);
      for (const suffix of ['', '-wal', '-shm', '-journal', '-lock']) rmSync(`${path}${suffix}`, { force: true });
    }
  });

  test('a bus file on a read-only filesystem is refused at open, naming the file and why', async () => {
    const path = join(mountPoint, 'bus.db');
    const store = new SqliteMessageStore({ path });
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
    await store.close();
    rmSync(`${path}-lock`, { force: true });
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const message = refusal(path);
      expect(message).toContain(path);
      expect(message).toMatch(/read-only file ?system/);
      expect(message).not.toContain('\n');
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });
});
