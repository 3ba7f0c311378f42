import { decodeBase64 } from './internal/base64.ts';
import { parseHashedName } from './internal/parse-hashed-name.ts';
import { keyBlobType } from './key-blob.ts';
import type {
  HostPattern,
  KnownHostsEntry,
  KnownHostsHosts,
  KnownHostsMarker,
  KnownHostsParseResult,
  KnownHostsProblem,
} from './known-hosts.ts';

/** Options of {@link parseKnownHosts}. */
export interface ParseKnownHostsOptions {
  /**
   * The file name problems and messages name.
   * @default 'known_hosts'
   */
  file?: string;
}

const MARKERS: Readonly<Record<string, KnownHostsMarker>> = {
  '@revoked': 'revoked',
  '@cert-authority': 'cert-authority',
};

interface Field {
  text: string;
  column: number;
}

/**
 * Parses the text of an OpenSSH `known_hosts` file, with the semantics of OpenSSH's `hostfile.c`
 * (and Go's `x/crypto/ssh/knownhosts`): blank and `#` lines are skipped; a line is
 * `[@marker] hosts keytype base64 [comment]`; hosts is one hashed name (`|1|salt|hash`) or
 * comma-separated patterns (`web1,10.0.0.5`, `[web1]:2222`, `*.example.com`, `!bastion`).
 * A malformed line is skipped and reported with its line number, never thrown; the rest of the
 * file still works.
 *
 * @example
 * ```ts
 * const { value: knownHosts, errors, warnings } = parseKnownHosts(text, { file: '~/.ssh/known_hosts' });
 * ```
 */
export function parseKnownHosts(text: string, options: ParseKnownHostsOptions = {}): KnownHostsParseResult {
  const file = options.file ?? 'known_hosts';
  const entries: KnownHostsEntry[] = [];
  const errors: KnownHostsProblem[] = [];
  const warnings: KnownHostsProblem[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index]!.replace(/\r$/, '');
    const fields = splitFields(raw);
    if (fields.length === 0 || fields[0]!.text.startsWith('#')) continue;
    const parsed = parseLine(raw, fields, line);
    if ('message' in parsed) {
      errors.push({ file, line, column: parsed.column, message: parsed.message, severity: 'error' });
      continue;
    }
    entries.push(parsed);
    if (parsed.marker === 'cert-authority') {
      const message =
        '@cert-authority is not supported: host certificates are not checked, and this CA key is never trusted as a host key';
      warnings.push({ file, line, column: 1, message, severity: 'warning' });
    }
  }
  return { value: { file, entries }, errors, warnings };
}

function splitFields(line: string): Field[] {
  return [...line.matchAll(/[^ \t]+/g)].map((match) => ({ text: match[0], column: match.index + 1 }));
}

function parseLine(raw: string, fields: Field[], line: number): KnownHostsEntry | { message: string; column: number } {
  let marker: KnownHostsMarker | undefined;
  if (fields[0]!.text.startsWith('@')) {
    marker = MARKERS[fields[0]!.text];
    if (marker === undefined) {
      return { message: `unknown marker ${fields[0]!.text} (expected @revoked or @cert-authority)`, column: 1 };
    }
    fields = fields.slice(1);
  }
  const [hostsField, typeField, keyField] = fields;
  if (hostsField === undefined || typeField === undefined || keyField === undefined) {
    return { message: 'expected host names, a key type and a base64 key', column: fields[0]?.column ?? 1 };
  }
  if (/^\d+$/.test(typeField.text)) {
    return { message: 'SSH-1 RSA keys (bits, exponent, modulus) are not supported', column: typeField.column };
  }
  const key = decodeBase64(keyField.text);
  if (key === undefined || key.length === 0) return { message: 'the key is not valid base64', column: keyField.column };
  const blobType = keyBlobType(key);
  if (blobType !== typeField.text) {
    const found = blobType === undefined ? 'does not start with a key type' : `is a ${blobType} key`;
    return { message: `the key ${found}, but the line says ${typeField.text}`, column: keyField.column };
  }
  const hosts = parseHosts(hostsField.text);
  if (typeof hosts === 'string') return { message: hosts, column: hostsField.column };
  const after = fields[3];
  const comment = after === undefined ? '' : raw.slice(after.column - 1).trim();
  return { line, marker, hostsField: hostsField.text, hosts, keyType: typeField.text, key, comment };
}

function parseHosts(field: string): KnownHostsHosts | string {
  if (field.startsWith('|')) {
    const hashed = parseHashedName(field);
    return typeof hashed === 'string' ? hashed : { kind: 'hashed', hashed };
  }
  const patterns: HostPattern[] = [];
  for (const written of field.toLowerCase().split(',')) {
    const negated = written.startsWith('!');
    const pattern = negated ? written.slice(1) : written;
    if (pattern !== '') patterns.push({ pattern, negated });
  }
  if (patterns.length === 0) return 'no host names';
  return { kind: 'patterns', patterns };
}
