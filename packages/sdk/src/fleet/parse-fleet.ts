import { LineCounter, parseDocument } from 'yaml';
import type { FleetProblem } from '../schemas/fleet-status.ts';
import { dropEmptyValues, resolveEnvRefs } from './internal/env-refs.ts';
import { applyEnvTexts, envTextsOf } from './internal/env-text.ts';
import { type Path, pathOfKeyAt, pathText } from './internal/locate.ts';
import { rememberOrigins } from './internal/origins.ts';
import { ProblemList } from './internal/problem-list.ts';
import { collectEntries } from './internal/rule-context.ts';
import { checkRules } from './internal/rules.ts';
import { checkKeys } from './internal/yaml-keys.ts';
import { fleetErrorMap, zodFindings } from './internal/zod-problems.ts';
import { Fleet } from './schema.ts';

/** Options of {@link parseFleet}. */
export interface ParseFleetOptions {
  /**
   * The file name problems are reported against.
   * @default 'fleet.yaml'
   */
  file?: string;
  /**
   * Where `${NAME}` references are looked up.
   * @default process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What loading a fleet file found: the fleet when there is no error, and every problem. */
export interface FleetParseResult {
  /** The fleet; `undefined` when there is any error. */
  value: Fleet | undefined;
  /** In document order; each reported once, at its line and column. */
  errors: FleetProblem[];
  /** Problems that do not stop the fleet from loading (an unused host, a secret written in the file). */
  warnings: FleetProblem[];
}

const MAX_SHOWN = 60;

/**
 * Parses and validates the text of a fleet file, collecting every problem rather than stopping
 * at the first: YAML syntax and duplicate keys, schema issues (unknown keys with the closest
 * known key suggested), unset environment variables and the cross-reference rules (unknown
 * hosts, two targets on one address and port, names shared by a service and a wizard, two
 * targets on one host that would be one systemd unit, a timeout above half the interval). Values
 * from the environment never appear in a problem.
 *
 * @example
 * const { value, errors } = parseFleet(text, { file: 'fleet.yaml', env: process.env });
 * for (const problem of errors) console.error(formatProblem(problem));
 */
export function parseFleet(text: string, options: ParseFleetOptions = {}): FleetParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = new ProblemList(options.file ?? 'fleet.yaml', doc.contents, lineCounter);
  const finish = (value: Fleet | undefined): FleetParseResult => ({ value, ...problems.sorted() });

  for (const error of doc.errors) {
    const path = error.code === 'DUPLICATE_KEY' ? pathOfKeyAt(doc.contents, error.pos[0]) : undefined;
    if (path)
      problems.add(
        { path, message: `duplicate key "${path.at(-1)}": a key may appear only once in a mapping` },
        error.pos[0],
      );
    else problems.addAt(error.pos[0], '', error.message, 'error');
  }
  for (const warning of doc.warnings) problems.addAt(warning.pos[0], '', warning.message, 'warning');
  // After a syntax error the tree is a guess; a repeated key only means the last one counts.
  if (doc.errors.some((error) => error.code !== 'DUPLICATE_KEY')) return finish(undefined);

  checkKeys(doc.contents, (finding, offset) => problems.add(finding, offset));
  const envTexts = envTextsOf(doc);
  let tree: unknown;
  try {
    const plain = doc.toJS();
    applyEnvTexts(plain, envTexts);
    tree = dropEmptyValues(plain);
  } catch (error) {
    problems.addAt(0, '', (error as Error).message, 'error');
    return finish(undefined);
  }
  const resolved = resolveEnvRefs(tree, options.env ?? process.env);
  problems.hide(resolved.secrets);
  for (const problem of resolved.problems) problems.add(problem);

  const templates = new Map(resolved.origins.map((origin) => [pathText(origin.path), origin.template]));
  const show = (path: Path): string => {
    const template = templates.get(pathText(path));
    if (template !== undefined) return `"${template}" (from the environment)`;
    let value = resolved.value;
    for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
    const shown = JSON.stringify(value) ?? String(value);
    return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown;
  };

  const parsed = Fleet.safeParse(resolved.value, { error: fleetErrorMap });
  if (!parsed.success) {
    for (const finding of zodFindings(parsed.error.issues, resolved.value, show)) problems.add(finding);
  }
  checkRules({
    ...collectEntries(resolved.value),
    fromEnv: (path) => templates.has(pathText(path)),
    show,
    report: (finding) => problems.add(finding),
  });

  if (!parsed.success || problems.errorCount > 0) return finish(undefined);
  rememberOrigins(parsed.data, resolved.origins, resolved.variables);
  return finish(parsed.data);
}
