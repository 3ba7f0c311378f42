import type { z } from 'zod';
import { Fleet } from '../schema.ts';
import { closest } from './closest.ts';
import { type Path, pathText } from './locate.ts';
import type { Finding } from './problem-list.ts';
import { knownKeys } from './schema-keys.ts';

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function typeName(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return TYPE_NAMES[typeof value] ?? typeof value;
}

/**
 * Messages in the fleet file's words (mapping, list) for the issues whose schema has no message
 * of its own. Never includes the input: it may come from a secret.
 */
export const fleetErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${typeName(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : undefined;
      return issue.origin === 'array' ? `must list at least ${issue.minimum}` : undefined;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.origin === 'array' ? `must list at most ${issue.maximum}` : undefined;
    default:
      return undefined;
  }
};

function valueAt(tree: unknown, path: Path): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function unknownKey(key: string, parent: Path): { message: string; guess?: string } {
  if (key === 'url' && parent.length >= 2 && (parent[0] === 'services' || parent[0] === 'wizards')) {
    const from =
      parent.at(-1) === 'health' ? `the host's address, the port and "path"` : `the host's address and the port`;
    return { message: `"url" is not allowed: URLs are derived from ${from}` };
  }
  const known = knownKeys(Fleet, parent);
  const guess = closest(key, known);
  if (guess) return { message: `unknown key "${key}" (did you mean "${guess}"?)`, guess };
  const list = known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
  return { message: `unknown key "${key}"${list}` };
}

function toPath(path: readonly PropertyKey[]): Path {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/**
 * Turns the schema's issues into findings: one per unknown key (pointing at the key, with the
 * closest known key suggested), a missing key at its parent's key, an enum value with the
 * closest option. `show` quotes a value for a message without revealing a secret.
 */
export function zodFindings(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  show: (path: Path) => string,
): Finding[] {
  const findings: Finding[] = [];
  // A typo of a required key (`prot: 8650`) is one problem, not also "port is required".
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const parent = toPath(issue.path);
    for (const key of issue.keys) {
      const { message, guess } = unknownKey(key, parent);
      if (guess) suggested.add(pathText([...parent, guess]));
      findings.push({ path: [...parent, key], message, anchor: 'key' });
    }
  }
  for (const issue of issues) {
    const path = toPath(issue.path);
    const last = String(path.at(-1) ?? '');
    const missing = path.length > 0 && valueAt(input, path) === undefined;
    if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
      if (!suggested.has(pathText(path))) findings.push({ path, message: `"${last}" is required` });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        break;
      case 'invalid_key':
        findings.push({
          path,
          anchor: 'key',
          message: `invalid name "${last}": ${issue.issues[0]?.message ?? issue.message}`,
        });
        break;
      case 'invalid_type':
        if (path.length === 0 && input == null)
          findings.push({ path, message: 'the file is empty: it needs at least "version: 1"' });
        else findings.push({ path, message: issue.message });
        break;
      case 'invalid_value': {
        if (issue.values.length === 1) {
          findings.push({ path, message: `must be ${JSON.stringify(issue.values[0])}` });
          break;
        }
        const options = issue.values.map(String);
        const value = valueAt(input, path);
        const guess = typeof value === 'string' ? closest(value, options) : undefined;
        const hint = guess ? ` (did you mean "${guess}"?)` : '';
        findings.push({ path, message: `${show(path)} is not one of: ${options.join(', ')}${hint}` });
        break;
      }
      default:
        findings.push({ path, message: issue.message });
    }
  }
  return findings;
}
