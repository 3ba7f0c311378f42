import type { SystemdUnit } from '@fleet/sdk/deploy';

const VAR_LIB = '/var/lib/';
/** What `StateDirectory=` takes as it is: no space (a list), `:` (a symlink), `%` (a specifier) or quote. */
const PLAIN_SEGMENT = /^[A-Za-z0-9_.@+-]+$/;
const PLAIN_PATH = /^[A-Za-z0-9_@+=:,./-]+$/;

function plainUnderVarLib(path: string): string | undefined {
  if (!path.startsWith(VAR_LIB)) return undefined;
  const relative = path.slice(VAR_LIB.length);
  const segments = relative.split('/');
  const plain = segments.every((segment) => PLAIN_SEGMENT.test(segment) && segment !== '.' && segment !== '..');
  return plain ? relative : undefined;
}

/** One path of a `ReadWritePaths=` list: quoted unless plain, `%` doubled (systemd expands no `$` there). */
function readWritePath(path: string): string {
  const escaped = path.replaceAll('%', '%%');
  if (PLAIN_PATH.test(path)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * How a service's unit makes its state directory writable under `ProtectSystem=strict` and runs in
 * it. Under /var/lib (the default `deploy.state`) that is `StateDirectory=`, which systemd creates
 * and hands to the service user; elsewhere `StateDirectory=` cannot point, so the directory (made
 * by the plan's baseline phase) is opened with `ReadWritePaths=`.
 */
export function stateAccess(path: string): Pick<SystemdUnit, 'stateDirectory' | 'readWritePaths' | 'workingDirectory'> {
  const relative = plainUnderVarLib(path);
  if (relative !== undefined) return { stateDirectory: relative, workingDirectory: path };
  // WorkingDirectory= takes the rest of its line as one path, with specifiers expanded.
  return { readWritePaths: [readWritePath(path)], workingDirectory: path.replaceAll('%', '%%') };
}
