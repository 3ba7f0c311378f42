import { DeployLockOwner } from '../deploy-lock-owner.ts';
import type { DeployLockStatus } from '../deploy-lock-status.ts';

/** The status the lock scripts print (see `STATUS` in lock-scripts.ts), or `undefined` for `absent`. */
export function parseLockStatus(
  stdout: string,
  dir: string,
  lockHost: string,
  fallbackTtlMs: number,
): DeployLockStatus | undefined {
  const newline = stdout.indexOf('\n');
  const head = (newline < 0 ? stdout : stdout.slice(0, newline)).trim().split(' ');
  if (head[0] !== 'held') return undefined;
  const now = Number(head[1]);
  const dirMtime = Number(head[2]);
  const ownerMtime = head[3] === '-' ? undefined : Number(head[3]);
  const status: DeployLockStatus = { dir, lockHost, ageMs: 0, ttlMs: fallbackTtlMs, stale: false };
  if (ownerMtime === undefined) status.problem = 'it has no owner.json (being written, or its writer died first)';
  else {
    const text = newline < 0 ? '' : stdout.slice(newline + 1);
    const parsed = safeJson(text);
    const owner = DeployLockOwner.safeParse(parsed);
    if (owner.success) {
      status.owner = owner.data;
      status.ttlMs = owner.data.ttlMs;
    } else status.problem = `its owner.json is not readable: ${text.trim().slice(0, 200) || 'empty'}`;
  }
  status.ageMs = Math.max(0, now - (ownerMtime ?? dirMtime));
  status.stale = status.ageMs > status.ttlMs;
  return status;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
