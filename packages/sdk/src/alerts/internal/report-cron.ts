import { loadCroner } from './load-croner.ts';

/** A cron expression read in a time zone: when it next fires. */
export interface ReportCron {
  /** The first run strictly after `afterMs` (epoch ms); null when the expression never fires again. */
  next(afterMs: number): number | null;
}

/**
 * A standard five-field cron expression (minute hour day-of-month month day-of-week, or a
 * nickname such as `@daily`) read in an IANA time zone. croner only computes the runs: it owns no
 * timer. Throws with croner's reason when the expression or the zone is not valid.
 */
export function reportCron(pattern: string, timezone: string): ReportCron {
  const { Cron } = loadCroner();
  const cron = new Cron(pattern, { timezone, paused: true, mode: '5-part' });
  return {
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime() ?? null,
  };
}

/** Why `pattern` is not a cron expression that fires (in UTC), or undefined when it is one. */
export function cronProblem(pattern: string): string | undefined {
  const fields = pattern.trim().split(/\s+/).length;
  if (!pattern.trim().startsWith('@') && fields !== 5) {
    return `a cron expression has five fields (minute hour day month weekday), this one has ${fields}`;
  }
  try {
    if (reportCron(pattern, 'UTC').next(Date.now()) === null) return 'the cron expression never fires';
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '').replace(/\.$/, '');
    return reason.charAt(0).toLowerCase() + reason.slice(1);
  }
}

/** Whether `zone` is an IANA time zone this Node knows (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
