import type { LineCounter } from 'yaml';
import { redact } from '../../internal/redact.ts';
import type { FleetProblem } from '../../schemas/fleet-status.ts';
import { locate, type Path, pathText } from './locate.ts';

/** A problem before it is placed in the file. */
export interface Finding {
  path: Path;
  /** One sentence; the path is prefixed when it is shown. */
  message: string;
  /** Point at the key (unknown keys, names) or at the value (the default). */
  anchor?: 'key' | 'value';
  /** @default 'error' */
  severity?: FleetProblem['severity'];
}

const byPosition = (a: FleetProblem, b: FleetProblem) => a.line - b.line || a.column - b.column;

/**
 * Collects the problems of one file, each placed at its line and column. The first problem at a
 * path wins: a later check of the same value (a schema issue on an unresolved `${VAR}`, a rule on
 * a bad value) would only restate it. Every message is scrubbed of the environment's values.
 */
export class ProblemList {
  readonly #errors: FleetProblem[] = [];
  readonly #warnings: FleetProblem[] = [];
  readonly #seen = new Set<string>();
  #secrets: readonly string[] = [];

  constructor(
    readonly file: string,
    private readonly contents: unknown,
    private readonly lineCounter: LineCounter,
  ) {}

  /**
   * Values that must never appear in a message, also as quoted by `JSON.stringify` (a health
   * condition's error quotes the condition that way, escaping `"` and `\`).
   */
  hide(secrets: readonly string[]): void {
    this.#secrets = [...secrets, ...secrets.map((secret) => JSON.stringify(secret).slice(1, -1))];
  }

  /**
   * Reports a finding unless one of the same severity (or an error, for a warning) was reported
   * at its path. `offset` places
   * it when the parser already knows where (a duplicate key); otherwise it is located by path.
   */
  add(finding: Finding, offset?: number): void {
    const severity = finding.severity ?? 'error';
    const path = pathText(finding.path);
    if (this.#seen.has(`${severity} ${path}`) || this.#seen.has(`error ${path}`)) return;
    this.#seen.add(`${severity} ${path}`);
    this.addAt(offset ?? locate(this.contents, finding.path, finding.anchor), path, finding.message, severity);
  }

  /** Reports a problem at a source offset, without a path (the yaml parser's syntax errors). */
  addAt(offset: number, path: string, message: string, severity: FleetProblem['severity']): void {
    const { line, col } = this.lineCounter.linePos(offset);
    const problem = { file: this.file, line, column: col, path, message: redact(message, this.#secrets), severity };
    (severity === 'error' ? this.#errors : this.#warnings).push(problem);
  }

  /** Errors and warnings in document order. */
  sorted(): { errors: FleetProblem[]; warnings: FleetProblem[] } {
    return { errors: [...this.#errors].sort(byPosition), warnings: [...this.#warnings].sort(byPosition) };
  }

  get errorCount(): number {
    return this.#errors.length;
  }
}
