import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's `gc()` in this test process, without `node --expose-gc`: the flag set at run time exposes it
 * to contexts created afterwards.
 */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Collects garbage every few milliseconds until `settled` settles: what undici's fetch loses an
 * abort to (a Request following a signal drops that link when collected, nodejs/undici#4068).
 */
export async function collectingGarbage<T>(settled: Promise<T>): Promise<T> {
  const gc = exposeGc();
  const timer = setInterval(gc, 20);
  try {
    return await settled;
  } finally {
    clearInterval(timer);
  }
}
