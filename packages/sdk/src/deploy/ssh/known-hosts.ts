import type { HashedName } from './hashed-name.ts';

/**
 * The marker a `known_hosts` line may start with. `revoked`: the key must never be accepted, for
 * any host. `cert-authority`: a CA for host certificates, which Fleet does not support (the line is
 * parsed, reported as a warning, and never trusts anything).
 */
export type KnownHostsMarker = 'revoked' | 'cert-authority';

/** One comma-separated host pattern of a plain `known_hosts` line, lower-cased as OpenSSH does. */
export interface HostPattern {
  /** The pattern without its `!`: `web1`, `[10.0.0.5]:2222`, `*.example.com`. */
  readonly pattern: string;
  /** Written `!pattern`: a host it matches is excluded from the line. */
  readonly negated: boolean;
}

/** The hosts field of a `known_hosts` line: one hashed name, or a list of patterns. */
export type KnownHostsHosts =
  | { readonly kind: 'hashed'; readonly hashed: HashedName }
  | { readonly kind: 'patterns'; readonly patterns: readonly HostPattern[] };

/** One well-formed line of a `known_hosts` file. */
export interface KnownHostsEntry {
  /** Line number in the file, from 1. */
  readonly line: number;
  /** `@revoked` or `@cert-authority`; `undefined` for a plain host key. */
  readonly marker: KnownHostsMarker | undefined;
  /** The hosts field as written, e.g. `web1,10.0.0.5` or `|1|salt|hash`. */
  readonly hostsField: string;
  /** The hosts field, parsed. */
  readonly hosts: KnownHostsHosts;
  /** The key type, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  readonly keyType: string;
  /** The public key blob (the base64 field, decoded). */
  readonly key: Buffer;
  /** Whatever follows the key on the line, trimmed; usually empty. */
  readonly comment: string;
}

/** A parsed `known_hosts` file: its well-formed lines, in file order. */
export interface KnownHosts {
  /** The file it was read from, for messages. */
  readonly file: string;
  /** Every well-formed line, including `@revoked` and `@cert-authority` ones. */
  readonly entries: readonly KnownHostsEntry[];
}

/** A line of a `known_hosts` file that was skipped (`error`) or is not supported (`warning`). */
export interface KnownHostsProblem {
  /** The file it is in. */
  file: string;
  /** Line in the file, from 1. */
  line: number;
  /** Column in the line, from 1: where the offending field starts. */
  column: number;
  /** One clear sentence. */
  message: string;
  /** `error`: the line is malformed and skipped. `warning`: the line is parsed but not used. */
  severity: 'error' | 'warning';
}

/**
 * What parsing a `known_hosts` file found. Unlike a fleet file, the value is always usable: a
 * malformed line is skipped (as OpenSSH skips it) and reported in `errors`; the other lines work.
 */
export interface KnownHostsParseResult {
  /** The well-formed lines. */
  value: KnownHosts;
  /** Malformed lines, in file order; each was skipped. */
  errors: KnownHostsProblem[];
  /** Lines that parse but are not used (`@cert-authority`), in file order. */
  warnings: KnownHostsProblem[];
}
