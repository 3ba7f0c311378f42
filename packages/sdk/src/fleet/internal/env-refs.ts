import type { Path } from './locate.ts';

/** A string of the file that references the environment: the path and what was written there. */
export interface EnvOrigin {
  path: Path;
  /** The text as written, e.g. `${FLEET_BUS_TOKEN}`: safe to print. */
  template: string;
}

/** The tree with `${NAME}` references replaced, and what that took. */
export interface EnvResolution {
  value: unknown;
  origins: EnvOrigin[];
  /** The values substituted, to scrub from any text shown. */
  secrets: string[];
  /** Every variable substituted, by name, with its value. */
  variables: Record<string, string>;
  problems: Array<{ path: Path; message: string }>;
}

// `$${NAME}` escapes a literal `${NAME}`.
const REFERENCE = /\$?\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A part of a string as the file wrote it: literal text, or the variable of a `${NAME}` reference. */
export type EnvTemplatePart = string | { variable: string };

/**
 * A string as the file wrote it, in parts: literal text and the variables of its `${NAME}`
 * references, in order (`$${NAME}` is the literal text `${NAME}`). Adjacent text is one part.
 */
export function envTemplateParts(template: string): EnvTemplatePart[] {
  const parts: EnvTemplatePart[] = [];
  const text = (value: string) => {
    if (value === '') return;
    const last = parts.at(-1);
    if (typeof last === 'string') parts[parts.length - 1] = last + value;
    else parts.push(value);
  };
  let from = 0;
  for (const match of template.matchAll(REFERENCE)) {
    text(template.slice(from, match.index));
    if (match[0].startsWith('$$')) text(match[0].slice(1));
    else parts.push({ variable: match[1] ?? '' });
    from = match.index + match[0].length;
  }
  text(template.slice(from));
  return parts;
}

function list(names: string[]): string {
  return names.length === 1 ? `variable ${names[0]} is` : `variables ${names.join(', ')} are`;
}

/**
 * Replaces `${NAME}` in every string value of `tree` with the variable from `env` (map keys are
 * never substituted). A variable that is unset or empty is a problem naming the variable; its value
 * never appears in one.
 */
export function resolveEnvRefs(tree: unknown, env: Readonly<Record<string, string | undefined>>): EnvResolution {
  const result: EnvResolution = { value: undefined, origins: [], secrets: [], variables: {}, problems: [] };

  const resolveString = (text: string, path: Path): string => {
    if (!text.includes('${')) return text;
    const invalid: string[] = [];
    const unset: string[] = [];
    const empty: string[] = [];
    let referenced = false;
    const resolved = text.replace(REFERENCE, (match: string, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      referenced = true;
      const value = env[name];
      if (!ENV_NAME.test(name)) invalid.push(match);
      else if (value === undefined) unset.push(name);
      else if (value === '') empty.push(name);
      else {
        result.secrets.push(value);
        result.variables[name] = value;
        return value;
      }
      return match;
    });
    // One problem per string, naming every variable at fault.
    const messages = [
      ...invalid.map(
        (match) => `"${match}" is not an environment reference: write \${NAME} with letters, digits and _`,
      ),
      ...(unset.length > 0 ? [`environment ${list(unset)} not set`] : []),
      ...(empty.length > 0 ? [`environment ${list(empty)} empty`] : []),
    ];
    if (messages.length > 0) result.problems.push({ path, message: messages.join('; ') });
    if (referenced) result.origins.push({ path, template: text });
    return resolved;
  };

  const walk = (node: unknown, path: Path): unknown => {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]));
    }
    return node;
  };

  result.value = walk(tree, []);
  return result;
}

/**
 * The tree without map entries whose value is empty (`services:` with everything under it
 * commented out): an empty value is the same as leaving the key out.
 */
export function dropEmptyValues(tree: unknown): unknown {
  if (Array.isArray(tree)) return tree.map(dropEmptyValues);
  if (tree === null || typeof tree !== 'object') return tree;
  return Object.fromEntries(
    Object.entries(tree)
      .filter(([, value]) => value !== null)
      .map(([key, value]) => [key, dropEmptyValues(value)]),
  );
}
