import { z } from 'zod';
import { AlertDeliveries, AlertDeliveriesQuery } from '../alerts/alert-delivery.ts';
import { defineRoute } from '../contract/route.ts';
import { Timestamp } from '../schemas/common.ts';
import { described } from '../schemas/fields.ts';
import { FleetStatus } from '../schemas/fleet-status.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { HistoryResolution, ServiceDetail, TargetStatus } from '../schemas/monitor.ts';
import { DashboardDeploys, DashboardDeploysQuery, DeployEventsAccepted, DeployEventsInput } from './deploy-status.ts';

/** Path parameter of the routes that address one service or wizard. */
export const ServiceIdParams = z.strictObject(
  lazyShape(() => ({
    id: described(
      z.string().check(z.minLength(1), z.maxLength(128)),
      'Name of the service or wizard in the fleet file',
    ),
  })),
);

const INSTANT_HINT = 'must be an ISO 8601 time (2025-01-31T12:00:00Z) or epoch milliseconds';

/**
 * An instant in a query string: an ISO 8601 time or epoch milliseconds, read as epoch milliseconds.
 * Built with the fields of {@link ServiceDetailQuery}, the one schema that uses it.
 */
function queryInstant() {
  return described(
    z.string().transform((value, ctx) => {
      const ms = /^\d{1,15}$/.test(value)
        ? Number(value)
        : Timestamp.safeParse(value).success
          ? Date.parse(value)
          : NaN;
      if (Number.isFinite(ms)) return ms;
      ctx.addIssue({ code: 'custom', message: INSTANT_HINT });
      return z.NEVER;
    }),
    'ISO 8601 time or epoch milliseconds',
  );
}

/**
 * Query of `GET /api/services/<id>`: the history range. `to` defaults to now, `from` to 24 hours
 * before `to`; without `resolution` the finest one kept for the whole range is chosen.
 */
export const ServiceDetailQuery = z
  .strictObject(
    lazyShape(() => {
      const instant = queryInstant();
      return {
        from: described(
          instant.optional(),
          'Start of the history: an ISO 8601 time or epoch milliseconds; default 24 hours before `to`',
        ),
        to: described(instant.optional(), 'End of the history: an ISO 8601 time or epoch milliseconds; default now'),
        resolution: described(HistoryResolution.optional(), 'raw (48 h kept), 5m (30 days) or 1d (a year)'),
      };
    }),
  )
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
    message: 'must be before to',
    path: ['from'],
  });
export type ServiceDetailQuery = z.infer<typeof ServiceDetailQuery>;

/**
 * One live update of the dashboard page (each `data` of `GET /api/events`): the element with id
 * `id` (default `overview`) is replaced by `html`, whose root element carries the same id.
 */
export const DashboardEvent = z.object(
  lazyShape(() => ({
    html: described(z.string(), 'An HTML fragment: the new element'),
    id: described(z.string().optional(), 'Id of the element it replaces (default: overview)'),
  })),
);
export type DashboardEvent = z.infer<typeof DashboardEvent>;

const BROWSER_AUTH = 'With tokens configured: a bearer header, or the cookie that opening a page with ?token= sets';

/**
 * Query of a page or badge: `?token=` opens a browser session; other parameters are the page's
 * own and pass through the redirect.
 */
export const PageQuery = z.looseObject(
  lazyShape(() => ({
    token: described(
      z.string().optional(),
      "One of the dashboard's tokens: answered with a redirect to the same address without it, setting the session cookie (a wrong one is 401)",
    ),
  })),
);

/** The redirect of a page opened with a right `?token=`. */
const SESSION_REDIRECT = {
  status: 303,
  description:
    'Opened with a right ?token=: sets the session cookie (HttpOnly, SameSite=Lax, 12 hours) and redirects to the same address without the token',
  headers: ['set-cookie'],
} as const;

/**
 * Every route of the dashboard (besides the common `/health`, `/openapi.json` and `/metrics`): the
 * JSON API `DashboardClient` calls, the event stream the page's live updater reads, and the HTML
 * pages and SVG badges. The pages and the stream are what a browser opens, and a browser cannot
 * send a bearer header: they are `auth: false` here and the dashboard checks the token itself,
 * accepting the header or its session cookie.
 */
export const dashboardRoutes = {
  status: defineRoute({
    method: 'GET',
    path: '/api/status',
    summary: 'The whole fleet: targets by host, counts, bus backlogs, sync lag, fleet-file problems (ETag)',
    response: FleetStatus,
    notModified: {
      description:
        'If-None-Match names the ETag of the status as it is: nothing changed since (the status is rebuilt only after a probe, a state change or a reload)',
    },
  }),
  wizard: defineRoute({
    method: 'GET',
    path: '/api/wizard/:id',
    summary: 'The status of one wizard (agent instance)',
    params: ServiceIdParams,
    response: TargetStatus,
    errors: ['not_found'],
    example: { params: { id: 'scout' } },
  }),
  service: defineRoute({
    method: 'GET',
    path: '/api/services/:id',
    summary: 'One service or wizard with its history, state transitions and latency series',
    params: ServiceIdParams,
    query: ServiceDetailQuery,
    response: ServiceDetail,
    errors: ['not_found'],
    example: { params: { id: 'bus' }, query: { resolution: '5m' } },
  }),
  deploys: defineRoute({
    method: 'GET',
    path: '/api/deploys',
    summary:
      'Recent deploy runs (live while running) with per-host results, and the failed run to show until a good one',
    query: DashboardDeploysQuery,
    response: DashboardDeploys,
    example: { query: { limit: 10 } },
  }),
  deployEvents: defineRoute({
    method: 'POST',
    path: '/api/deploys/events',
    summary: "The deployer's events of a run: hosts between host_started and host_finished show `deploying`",
    body: DeployEventsInput,
    response: DeployEventsAccepted,
    example: {
      body: {
        run: { id: '20250131T120000Z-ab12', trigger: 'webhook', mode: 'apply', commit: 'ab12cd3' },
        events: [{ type: 'host_started', at: '2025-01-31T12:00:01.000Z', host: 'web1', mode: 'apply' }],
      },
    },
  }),
  alerts: defineRoute({
    method: 'GET',
    path: '/api/alerts',
    summary: 'The alerts this dashboard sent, failed to send (given up) or is still sending, newest first',
    query: AlertDeliveriesQuery,
    response: AlertDeliveries,
    example: { query: { limit: 20 } },
  }),
  events: defineRoute({
    method: 'GET',
    path: '/api/events',
    summary: `Server-Sent Events: the overview's HTML now and whenever the fleet changes. ${BROWSER_AUTH}`,
    response: DashboardEvent,
    kind: 'sse',
    auth: false,
    errors: ['unauthorized'],
  }),
  home: defineRoute({
    method: 'GET',
    path: '/',
    summary: `HTML: the fleet overview, live over /api/events. ${BROWSER_AUTH}`,
    query: PageQuery,
    redirect: SESSION_REDIRECT,
    response: z.string(),
    kind: 'text',
    contentType: 'text/html',
    htmlErrors: ['unauthorized'],
    auth: false,
    errors: ['unauthorized'],
  }),
  servicePage: defineRoute({
    method: 'GET',
    path: '/services/:id',
    summary: `HTML: one service or wizard with its uptime bar, latency chart and transitions. ${BROWSER_AUTH}`,
    params: ServiceIdParams,
    query: PageQuery,
    redirect: SESSION_REDIRECT,
    response: z.string(),
    kind: 'text',
    contentType: 'text/html',
    htmlErrors: ['unauthorized', 'not_found'],
    auth: false,
    errors: ['unauthorized', 'not_found'],
    example: { params: { id: 'bus' } },
  }),
  deploysPage: defineRoute({
    method: 'GET',
    path: '/deploys',
    summary: `HTML: the deploys going on and the recent ones with per-host results, trigger and commit. ${BROWSER_AUTH}`,
    query: PageQuery,
    redirect: SESSION_REDIRECT,
    response: z.string(),
    kind: 'text',
    contentType: 'text/html',
    htmlErrors: ['unauthorized'],
    auth: false,
    errors: ['unauthorized'],
  }),
  alertsPage: defineRoute({
    method: 'GET',
    path: '/alerts',
    summary: `HTML: the alerts sent, failed and pending, with channel, attempts and last error. ${BROWSER_AUTH}`,
    query: PageQuery,
    redirect: SESSION_REDIRECT,
    response: z.string(),
    kind: 'text',
    contentType: 'text/html',
    htmlErrors: ['unauthorized'],
    auth: false,
    errors: ['unauthorized'],
  }),
  badge: defineRoute({
    method: 'GET',
    path: '/badge/:id.svg',
    summary: `SVG (image/svg+xml): a status badge of one service or wizard. ${BROWSER_AUTH}`,
    params: ServiceIdParams,
    query: PageQuery,
    redirect: SESSION_REDIRECT,
    response: z.string(),
    kind: 'text',
    contentType: 'image/svg+xml',
    htmlErrors: ['unauthorized'],
    auth: false,
    errors: ['unauthorized', 'not_found'],
    example: { params: { id: 'bus' } },
  }),
} as const;

/** The dashboard's route table, by name. */
export type DashboardRoutes = typeof dashboardRoutes;
