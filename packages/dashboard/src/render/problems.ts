import type { FleetProblem } from '@fleet/sdk';
import { html } from './internal/html.ts';

/**
 * The fleet file's validation problems, meant to be impossible to miss: one line each with
 * `file:line:column`, severity, message and the path in the document. With no problems it is an
 * empty, hidden `<div id="problems" data-count="0">`, so a live update can still find and fill it.
 * A live-update fragment (see {@link clientScript}).
 *
 * @example
 * renderProblems(status.problems, status.file)
 */
export function renderProblems(problems: readonly FleetProblem[], file: string | null = null): string {
  if (problems.length === 0) return html`<div id="problems" data-count="0" hidden></div>`.value;
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const what = [
    errors ? `${errors} error${errors === 1 ? '' : 's'}` : '',
    warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const items = problems.map(
    (p) =>
      html`<li class="problem problem-${p.severity}" data-severity="${p.severity}"><code class="where">${p.file}:${p.line}:${p.column}</code> <span class="severity">${p.severity}</span> <span class="message">${p.message}</span>${p.path ? html` <code class="path">${p.path}</code>` : ''}</li>`,
  );
  const cls = errors ? 'problems has-errors' : 'problems';
  return html`<section id="problems" class="${cls}" data-count="${problems.length}" aria-labelledby="problems-title"><h2 id="problems-title">The fleet file has ${what}${file ? html`: <code>${file}</code>` : ''}</h2><ul>${items}</ul></section>`
    .value;
}
