import { expect, test } from 'vitest';
import { runScriptUnderFlock } from '../../src/deploy/internal/host-script.ts';
import { tempHost } from './_host.ts';

test('a directory whose path from / starts with - is locked as a path, never taken for a flock option', async () => {
  const host = tempHost();
  const script = 'echo "locked $1"; ls -A';
  const result = await runScriptUnderFlock(host, 'run a test script', '/-x', script, ['arg'], { create: true });
  expect(result).toMatchObject({ exitCode: 0, stdout: 'locked arg\n-x\n' });
});
