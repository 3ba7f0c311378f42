import type { AlertMessage } from '../alert-message.ts';

/**
 * Where an alert points on the dashboard at `base`: a failed deploy to its deploys page, an alert
 * about one target to that target's page, anything else (a host, a report) to the overview.
 */
export function alertLink(base: string, message: AlertMessage): string {
  const root = base.replace(/\/+$/, '');
  if (message.kind === 'deploy_failed') return `${root}/deploys`;
  const [only, ...others] = message.targets;
  if (message.kind !== 'report' && only !== undefined && others.length === 0) {
    return `${root}/services/${encodeURIComponent(only)}`;
  }
  return `${root}/`;
}
