import type { DeployRunEvent, StepResult } from '@fleet/sdk/deploy';
import { expect, test } from 'vitest';
import { hostLines, LiveProgress } from '../src/cli/live-progress.ts';
import { progressLine } from '../src/cli/progress.ts';

const at = '2026-12-05T15:00:00.000Z';
const step = (
  host: string,
  name: string,
  status: StepResult['status'],
  extra: Partial<StepResult> = {},
): DeployRunEvent => ({
  type: 'step_finished',
  at,
  host,
  result: {
    phase: 'release',
    step: name,
    kind: 'file',
    status,
    changes: [],
    mayChange: false,
    durationMs: 1234,
    ...extra,
  },
});

test('one line per event for logs: host, status, step and duration; a failure with its error', () => {
  expect(progressLine(step('vps1', 'file /etc/fleet/bus.env', 'changed'))).toBe(
    'vps1    changed    file /etc/fleet/bus.env  1.23s',
  );
  expect(progressLine(step('vps1', 'health bus', 'failed', { error: 'connection refused' }))).toBe(
    'vps1    failed     health bus  1.23s: connection refused',
  );
  expect(
    progressLine({ type: 'gate_failed', at, host: 'vps2', step: 'health scout', reason: '[STATUS] == 200: got 503' }),
  ).toBe('vps2  health gate failed at health scout: [STATUS] == 200: got 503');
  expect(progressLine(step('vps1', 'x', 'skipped'))).toBeUndefined();
});

test('the live block has one line per host: its phase and step while it runs, its counts when done', () => {
  const lines = hostLines(
    [
      { host: 'vps1', phase: 'fleet', step: 'service fleet-bus.service', since: 1000, changed: 3, failed: 0, done: 12 },
      { host: 'gpu-box', since: 0, changed: 1, failed: 1, done: 30, status: 'failed' },
    ],
    3500,
  );
  expect(lines).toEqual([
    'vps1     fleet: service fleet-bus.service  2.5s  (12 done, 3 changed)',
    'gpu-box  failed   30 done, 1 changed, 1 failed',
  ]);
});

/** A terminal's screen, as the cursor movements of a tty WriteStream leave it. */
class Screen {
  lines: string[] = [];
  row = 0;
  columns = 80;
  write(text: string): boolean {
    for (const line of text.split('\n').slice(0, -1)) {
      this.lines[this.row] = line;
      this.row += 1;
    }
    return true;
  }
  moveCursor(_dx: number, dy: number): boolean {
    this.row = Math.max(0, this.row + dy);
    return true;
  }
  cursorTo(): boolean {
    return true;
  }
  clearScreenDown(): boolean {
    this.lines.length = this.row;
    return true;
  }
}

test('on a terminal the block is redrawn in place, with changes and failures kept above it', () => {
  const screen = new Screen();
  const live = new LiveProgress(screen as unknown as NodeJS.WriteStream);
  live.event({ type: 'batch_started', at, index: 0, hosts: ['vps1', 'vps2'] });
  live.event({ type: 'phase_started', at, host: 'vps1', phase: 'release' });
  live.event({ type: 'step_started', at, host: 'vps1', phase: 'release', step: 'file a', kind: 'file' });
  live.event(step('vps1', 'file a', 'ok'));
  live.event(step('vps1', 'file b', 'changed'));
  live.event(step('vps2', 'file c', 'failed', { error: 'disk full' }));
  live.close();
  expect(screen.lines[0]).toBe('batch 1: vps1, vps2');
  expect(screen.lines[1]).toBe('vps1    changed    file b  1.23s');
  expect(screen.lines[2]).toBe('vps2    failed     file c  1.23s: disk full');
  expect(screen.lines.slice(3).map((line) => line.replace(/\d+\.\ds/, 'T'))).toEqual([
    'vps1  release: file a  T  (2 done, 1 changed)',
    'vps2  waiting  T  (1 done, 0 changed, 1 failed)',
  ]);
  expect(screen.lines).toHaveLength(5);
});
