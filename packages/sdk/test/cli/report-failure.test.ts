import { describe, expect, test } from 'vitest';
import { reportFailure, UsageError } from '../../src/cli/index.ts';
import { FleetError } from '../../src/errors.ts';

describe('reportFailure', () => {
  test('a bad command line exits 2 on one line without escapes', () => {
    expect(reportFailure(new UsageError('--port must be\n  a number \u001b[31mgot x\u001b[0m'))).toEqual({
      line: '--port must be a number got x',
      exitCode: 2,
    });
  });

  test('the user info of a URL the failure repeats is masked (a server under systemd logs this line)', () => {
    const usage = new UsageError(
      '--peer: invalid peer "http://ops:hunter2@127.0.0.1:8651": the URL must not include credentials (user:password@)',
    );
    expect(reportFailure(usage)).toEqual({
      line: '--peer: invalid peer "http://***@127.0.0.1:8651": the URL must not include credentials (user:password@)',
      exitCode: 2,
    });
    const failure = new FleetError('unavailable', 'cannot reach postgres://fleet:s3cret@db:5432/fleet');
    expect(reportFailure(failure).line).toBe('cannot reach postgres://***@db:5432/fleet');
  });
});
