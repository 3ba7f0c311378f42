import {
  type AlertDeliveries,
  type DashboardDeployRun,
  dashboardRoutes,
  FleetError,
  type FleetStatus,
} from '@fleet/sdk';
import { type DeployRunLog, deployingHosts, type HistoryRange, markDeployWindows } from '@fleet/sdk/fleet';
import { HttpError, implement, type RouteImplementation } from '@fleet/sdk/server';
import { type H3Event, HTTPResponse } from 'h3';
import type { BrowserAuth } from './browser-auth.ts';
import type { DashboardView } from './dashboard-view.ts';
import { htmlResponse, noticeResponse, pageNonce, redirectResponse, svgResponse } from './html-responses.ts';
import type { OverviewFeed } from './overview-feed.ts';
import { renderAlertsPage } from './render/alerts-page.ts';
import { renderBadge } from './render/badge.ts';
import { renderDeploysPage } from './render/deploys-page.ts';
import { renderPage } from './render/page.ts';
import { renderServiceDetail } from './render/service-detail.ts';
import { etagMatches } from './status-cache.ts';
import type { TrustedProxies } from './trusted-proxies.ts';

/** What the dashboard's routes read. */
export interface DashboardRouteContext {
  /** The fleet, the monitor and the cached status. */
  view: DashboardView;
  /** The live updates of `/api/events`. */
  feed: OverviewFeed;
  /** The token check of the pages, badges and event stream; `undefined` when no token is configured. */
  auth: BrowserAuth | undefined;
  /** The proxies whose `X-Forwarded-Proto: https` makes the session cookie `Secure`. @default none */
  proxies?: TrustedProxies;
  /** How long a badge may be cached, in seconds. @default 10 */
  badgeMaxAgeSeconds?: number;
  /** The deploy runs the deployer posted. */
  deploys: DeployRunLog;
  /** How long a host's deploy window lasts without news of it, in ms. @default 15 minutes */
  deployWindowMs?: number;
  /** The newest `limit` alert deliveries. @default none: alerting is off */
  alerts?: (limit: number) => AlertDeliveries;
  /** Hears of every run after a batch of its events was applied (alerting: `deploy_failed`). */
  onDeployRun?: (run: DashboardDeployRun) => void;
  /** How long the page waits without a word on `/api/events` before it reconnects (`staleAfterMs`). @default 45000 */
  liveStaleAfterMs?: number;
}

/**
 * The dashboard: each route of the `dashboardRoutes` contract bound to the view. The JSON API
 * answers from the monitor's memory and the cached status; the pages render it with the
 * `render/` functions. Validation, errors and encoding are the shared plumbing's job.
 */
export function dashboardRouteImplementations(context: DashboardRouteContext): RouteImplementation[] {
  const { view, feed, auth, deploys } = context;
  const badgeMaxAge = context.badgeMaxAgeSeconds ?? 10;
  const alertsOf = context.alerts ?? (() => ({ enabled: false, deliveries: [], count: 0 }));

  /** For a page: a redirect that opens a session (`?token=`), a 401 page, or nothing (go ahead). */
  function guardPage(event: H3Event): HTTPResponse | undefined {
    if (!auth) return undefined;
    const token = event.url.searchParams.get('token');
    if (token !== null) {
      if (!auth.isToken(token)) {
        return noticeResponse(
          401,
          'Wrong token',
          'The token in this link is not one this dashboard accepts.',
          view.title,
        );
      }
      const url = new URL(event.url);
      url.searchParams.delete('token');
      const https = context.proxies ? context.proxies.isHttps(event) : url.protocol === 'https:';
      const cookie = auth.sessionCookie(token, https);
      return redirectResponse(`${url.pathname}${url.search}`, { 'set-cookie': cookie });
    }
    if (auth.allows(event)) return undefined;
    return noticeResponse(
      401,
      'This dashboard needs a token',
      'Open this page once with ?token=<token> added to its address: the browser then keeps a session cookie.',
      view.title,
    );
  }

  return [
    implement(dashboardRoutes.status, ({ event }) => {
      const { json, etag } = view.status();
      const headers = { etag, 'cache-control': 'no-cache' };
      if (etagMatches(event.req.headers.get('if-none-match'), etag)) {
        return new HTTPResponse(null, { status: 304, headers }) as unknown as FleetStatus;
      }
      return new HTTPResponse(json, {
        headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      }) as unknown as FleetStatus;
    }),
    implement(dashboardRoutes.wizard, ({ params }) => {
      const status = view.targetStatus(params.id);
      if (status?.kind !== 'wizard') {
        throw new FleetError('not_found', `no wizard named "${params.id}" in the fleet`, {
          details: { field: 'id', id: params.id },
        });
      }
      return status;
    }),
    implement(dashboardRoutes.service, ({ params, query }) => {
      const range: HistoryRange = {
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
        ...(query.resolution === undefined ? {} : { resolution: query.resolution }),
      };
      // A lone `from` at or after now is the one range the query schema cannot rule out: the
      // monitor refuses it as validation_failed naming `from`.
      const detail = view.detail(params.id, range);
      if (!detail) {
        throw new FleetError('not_found', `no service or wizard named "${params.id}" in the fleet`, {
          details: { field: 'id', id: params.id },
        });
      }
      return detail;
    }),
    implement(dashboardRoutes.deploys, ({ query }) => deploys.deploys(query.limit ?? 20)),
    implement(dashboardRoutes.deployEvents, ({ body }) => {
      const result = deploys.apply(body);
      context.onDeployRun?.(result.run);
      markDeployWindows(view.monitor, result, view.now(), context.deployWindowMs);
      view.changed();
      return { accepted: body.events.length, deploying: deployingHosts(result.run) };
    }),
    implement(dashboardRoutes.alerts, ({ query }) => alertsOf(query.limit ?? 50)),
    implement(dashboardRoutes.events, ({ event, signal }) => {
      if (auth && !auth.allows(event)) {
        throw new HttpError('unauthorized', 'Missing or invalid token (bearer header or session cookie)', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      return feed.subscribe(signal);
    }),
    implement(dashboardRoutes.home, ({ event }) => {
      const refused = guardPage(event);
      if (refused) return refused as unknown as string;
      const nonce = pageNonce();
      const page = renderPage(view.status().status, {
        history: view.history(),
        title: view.title,
        nonce,
        deploys: deploys.deploys(10),
        apiLinks: !auth,
        ...(context.liveStaleAfterMs === undefined ? {} : { staleAfterMs: context.liveStaleAfterMs }),
      });
      return htmlResponse(page, { nonce }) as unknown as string;
    }),
    implement(dashboardRoutes.servicePage, ({ event, params }) => {
      const refused = guardPage(event);
      if (refused) return refused as unknown as string;
      const detail = view.detail(params.id);
      if (!detail) {
        return noticeResponse(
          404,
          'No such service',
          `The fleet has no service or wizard named "${params.id}".`,
          view.title,
        ) as unknown as string;
      }
      const nonce = pageNonce();
      const page = renderServiceDetail(detail, { title: view.title, now: view.now(), nonce });
      return htmlResponse(page, { nonce }) as unknown as string;
    }),
    implement(dashboardRoutes.deploysPage, ({ event }) => {
      const refused = guardPage(event);
      if (refused) return refused as unknown as string;
      const nonce = pageNonce();
      const page = renderDeploysPage(deploys.deploys(50), { title: view.title, nonce, apiLinks: !auth });
      return htmlResponse(page, { nonce }) as unknown as string;
    }),
    implement(dashboardRoutes.alertsPage, ({ event }) => {
      const refused = guardPage(event);
      if (refused) return refused as unknown as string;
      const nonce = pageNonce();
      const page = renderAlertsPage(alertsOf(200), { title: view.title, nonce, apiLinks: !auth });
      return htmlResponse(page, { nonce }) as unknown as string;
    }),
    implement(dashboardRoutes.badge, ({ event, params }) => {
      const refused = guardPage(event);
      if (refused) return refused as unknown as string;
      const status = view.targetStatus(params.id);
      if (!status) {
        throw new FleetError('not_found', `no service or wizard named "${params.id}" in the fleet`, {
          details: { field: 'id', id: params.id },
        });
      }
      return svgResponse(renderBadge(status.id, status.state), badgeMaxAge, !auth) as unknown as string;
    }),
  ];
}
