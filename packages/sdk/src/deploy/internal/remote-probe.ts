import { createHash } from 'node:crypto';
import { DeployError } from '../errors.ts';
import type { ExistingPath, PathInfo, ProbeRequest } from '../executor.ts';
import { DEFAULT_PROBE_MAX_BYTES } from './executor-defaults.ts';
import { pathTypeOf } from './path-type.ts';

/**
 * A POSIX `sh` script that probes paths read from stdin, one request a line (`c|- MAXBYTES PATH`),
 * and prints one line per request, in order: `-` for nothing there, `! B64(ERROR)` when it could
 * not look (or could not read a file whose content was asked for), or
 * `+ HEXMODE UID GID SIZE USER GROUP SHA256 TARGET CONTENT` where each of the last three is `-`
 * (none) or `:` followed by its base64. Paths are never printed back, so no name can break the
 * format. Needs GNU coreutils (`stat -c`, `base64 -w0`, `sha256sum`).
 */
export const PROBE_SCRIPT = `export LC_ALL=C
no() { echo "! $(printf %s "$1" | base64 -w0)"; }
while IFS= read -r l; do
  w=\${l%% *}; r=\${l#* }; x=\${r%% *}; p=\${r#* }
  if ! s=$(stat -c '%f %u %g %s %U %G' -- "$p" 2>&1); then
    case $s in
      *'No such file'*|*'Not a directory'*) echo - ;;
      *) no "$s" ;;
    esac
    continue
  fi
  set -- $s
  h=- t=- c=-
  case $1 in
    a???) t=":$(readlink -- "$p" | base64 -w0)" ;;
    8???) if [ "$w" = c ]; then
        h=$(sha256sum 2>&1 < "$p") || { no "\${h:-sha256sum failed}"; continue; }
        h=\${h%% *}
        if [ "$4" -le "$x" ]; then
          c=$(base64 -w0 2>&1 < "$p") || { no "\${c:-base64 failed}"; continue; }
          c=":$c"
        fi
      fi ;;
  esac
  echo "+ $s $h $t $c"
done
`;

/** The script's stdin for these requests. */
export function probeInput(requests: readonly ProbeRequest[]): string {
  return requests
    .map((request) => {
      if (!request.path.startsWith('/') || /[\n\0]/.test(request.path)) {
        throw new DeployError('invalid_path', `Not an absolute host path: ${JSON.stringify(request.path)}`);
      }
      const max = Math.min(request.maxBytes ?? DEFAULT_PROBE_MAX_BYTES, Number.MAX_SAFE_INTEGER);
      return `${request.content === true ? 'c' : '-'} ${max} ${request.path}\n`;
    })
    .join('');
}

const decode = (field: string): string => Buffer.from(field.slice(1), 'base64').toString('utf8');

/** The script's output, parsed: one {@link PathInfo} per request, as {@link probeLocal} reports them. */
export function parseProbeOutput(requests: readonly ProbeRequest[], stdout: string): PathInfo[] {
  const lines = stdout.split('\n');
  return requests.map((request, index) => {
    const { path } = request;
    const line = lines[index];
    if (line === undefined || line === '') {
      throw new DeployError('executor_failed', `Could not probe ${path}: the probe printed nothing for it`);
    }
    if (line === '-') return { path, exists: false };
    if (line.startsWith('! '))
      throw new DeployError('executor_failed', `Could not probe ${path}: ${decode(` ${line.slice(2)}`).trim()}`);
    const [, hex, uid, gid, size, user, group, sha, target, content] = line.split(' ');
    const mode = Number.parseInt(hex ?? '', 16);
    const info: ExistingPath = {
      path,
      exists: true,
      type: pathTypeOf(mode),
      mode: mode & 0o7777,
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
    };
    if (user !== undefined && user !== 'UNKNOWN') info.owner = user;
    if (group !== undefined && group !== 'UNKNOWN') info.group = group;
    if (target?.startsWith(':')) info.target = decode(target).replace(/\n$/, '');
    if (sha !== undefined && sha !== '-') info.sha256 = sha;
    if (content?.startsWith(':')) {
      // The content must be the file the host hashed: output cut short would decode quietly (and a
      // file rewritten between the hash and the read is no consistent answer either).
      const bytes = Buffer.from(content.slice(1), 'base64');
      if (info.sha256 !== undefined && createHash('sha256').update(bytes).digest('hex') !== info.sha256) {
        throw new DeployError(
          'executor_failed',
          `Could not probe ${path}: its content does not match its SHA-256 (${bytes.length} of ${info.size} bytes arrived; cut short, or the file changed while it was read)`,
        );
      }
      info.content = bytes.toString('utf8');
    }
    return info;
  });
}
