import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../internal/duration.ts';
import { tokenProblem, trimToken } from '../internal/token-value.ts';
import { isAddress } from './internal/address.ts';

const NAME_HINT = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
const PORT_HINT = 'must be a port number from 1 to 65535';
const DURATION_HINT = 'must be a duration such as 500ms, 30s, 2m or 1h';
const ADDRESS_HINT = 'must be an IPv4 address, an IPv6 address without brackets, or a DNS name';
const CREDENTIALS_HINT = 'must not include credentials (user:password@); give the service a token instead';
const PATH_HINT = 'must be a URL path starting with "/", e.g. /health';
const FILE_PATH_HINT = 'must be an absolute path, e.g. /opt/fleet';
const UNIX_NAME_HINT =
  'must be a Unix user or group name: lower-case letters, digits, _ and -, starting with a letter or _';

/**
 * The name of a host, service or wizard in a fleet file. Every such name is also a valid
 * `AgentName` and monitor target id, and safe in a URL path segment.
 */
export const FleetName = z
  .string({ error: NAME_HINT })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, NAME_HINT)
  .describe('Name of a host, service or wizard');

/** A TCP port, 1 to 65535. */
export const Port = z
  .number({ error: PORT_HINT })
  .int(PORT_HINT)
  .min(1, PORT_HINT)
  .max(65_535, PORT_HINT)
  .describe('TCP port');

/**
 * A duration written with a unit (`500ms`, `30s`, `2m`, `1h`), parsed to milliseconds.
 * @example '30s'
 */
export const Duration = z
  .string({ error: DURATION_HINT })
  .regex(DURATION_PATTERN, DURATION_HINT)
  .transform(parseDuration)
  .describe('Duration such as 500ms, 30s, 2m or 1h');

/**
 * Where a host is reached: an IPv4 or IPv6 address (no brackets) or a DNS name. Never with user
 * info (`user:password@`): every URL of the host's targets is built from it, and a service's
 * credentials are its `token`.
 */
export const Address = z
  .string({ error: ADDRESS_HINT })
  .superRefine((address, context) => {
    // Said apart from the generic hint, and without the value: it would show the password.
    if (address.includes('@')) context.addIssue({ code: 'custom', message: CREDENTIALS_HINT });
    else if (!isAddress(address)) context.addIssue({ code: 'custom', message: ADDRESS_HINT });
  })
  .describe('IP address or DNS name');

/** The path part of a health URL; the scheme, address and port come from the service and its host. */
export const HealthPath = z
  .string({ error: PATH_HINT })
  .max(1024)
  .refine((path) => path.startsWith('/') && URL.canParse(path, 'http://fleet.invalid'), PATH_HINT)
  .describe('URL path of the health check, e.g. /health');

/** The name of an environment variable set for a wizard. */
export const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name: letters, digits and _')
  .describe('Environment variable name');

/**
 * A bearer token (usually written as an `${ENV_VAR}` reference), loaded without the whitespace
 * around it (a token file's trailing newline), as the clients send it. One a header cannot carry (a
 * line break, a tab or another control character inside, a character beyond Latin-1) or of
 * whitespace alone is refused with a reason that never shows it.
 */
export const Token = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .superRefine((token, context) => {
    const problem = tokenProblem(token);
    if (problem) context.addIssue({ code: 'custom', message: `${problem}; the token is not shown`, continue: false });
  })
  .overwrite(trimToken)
  .max(512, 'must be at most 512 characters')
  .describe('Bearer token');

/** The scheme of a service's URLs. @default 'http' */
export const Scheme = z.enum(['http', 'https']).default('http').describe('URL scheme');

/** A Unix user or group name on a host, e.g. `fleet`. */
export const UnixName = z
  .string({ error: UNIX_NAME_HINT })
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, UNIX_NAME_HINT)
  .describe('Unix user or group name');

/** An absolute path on a host (or, for key files, on the machine that deploys). */
export const AbsolutePath = z
  .string({ error: FILE_PATH_HINT })
  .max(4096)
  .refine((path) => path.startsWith('/') && !path.includes('\0') && !/(^|\/)\.\.(\/|$)/.test(path), FILE_PATH_HINT)
  .describe('Absolute path');
