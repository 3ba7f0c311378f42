import type { z } from 'zod';

/** A few schema issues in one line: `recipients.0.ready: expected number; ...`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = 3): string {
  const shown = issues
    .slice(0, max)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  const more = issues.length > max ? `; and ${issues.length - max} more` : '';
  return `${shown.join('; ')}${more}`;
}
