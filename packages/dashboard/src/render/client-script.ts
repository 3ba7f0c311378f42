/** Options of {@link clientScript}. */
export interface ClientScriptOptions {
  /**
   * Where the event stream is.
   * @default '/api/events'
   */
  eventsUrl?: string;
  /**
   * How long the page waits without a word from the server (an update, a `ping`) before it takes
   * the connection as dead: a network that went silent (a laptop's Wi-Fi, a NAT that forgot the
   * connection) raises no error of its own. Three of the server's keepalive intervals.
   * @default 45000
   */
  staleAfterMs?: number;
}

/**
 * The page's live updater, as JavaScript source to inline in a `<script>` at the end of the page
 * (no dependencies, no build step; the page works fully without it).
 *
 * ## Event protocol of `/api/events` (Server-Sent Events)
 *
 * Every event's `data` is JSON `{ "html": string, "id"?: string }`: the element with that id
 * (default `"overview"`) is replaced by `html`, whose root element must carry the same id (all
 * fragment renderers produce exactly that). Fragments whose root has another id are ignored, so a
 * later update still finds its element.
 *
 * - `event: overview` — data `{"html": renderOverview(status, options)}`. Send one right after a
 *   client connects (it may have missed changes while reconnecting), then one whenever the status
 *   changes. To update one section only: `{"id": "bus", "html": renderBus(status.bus, now)}`
 *   (ids: `overview`, `counts`, `problems`, `targets`, `bus`, `knowledge`).
 * - `event: message` — treated exactly like `overview`. This is the name `@fleet/sdk/server` gives
 *   every item of a `kind: 'sse'` route, so such a route can simply yield `{ html }` objects.
 * - `event: ping` — data ignored; the server sends one every keepalive interval (15 s). A page
 *   that hears nothing, no update and no ping, for `staleAfterMs` (three intervals) takes the
 *   connection as dead: it marks the page stale, closes the connection and opens a new one.
 *
 * The updater shows `#live` (hidden until script runs) as `live`, `connecting…` or `reconnecting…`
 * (`data-live="live|connecting|reconnecting"`), and sets `document.title` from the new overview's
 * `data-title`. EventSource reconnects by itself after a dropped connection; when the browser gives
 * up (an HTTP error status), the script opens a new one after 1 s, doubling up to 30 s.
 *
 * When the connection fails, the page is stale until the next update arrives: `#overview` gets
 * `data-stale` (the stylesheet dims it), `document.title` starts with `stale · `, and `#stale`
 * (hidden until then; optional) says since when the page is not updating, as the time the server
 * was last heard from ("as of 08:07:24 UTC"; before any, the overview's `data-generated-at`).
 * When the browser gives up on the stream, the script asks the events URL once (a `fetch`, ended
 * as soon as its status is known) whether it answers 401: then `#stale` says that the browser's
 * session has expired and to open the page with `?token=` again (`data-reason="session"`; else
 * `"connection"`: the connection is lost). It keeps retrying either way, so a session opened
 * meanwhile (the link opened in another tab) resumes the page.
 *
 * @example
 * `<script>${clientScript()}</script>`
 */
export function clientScript(options: ClientScriptOptions = {}): string {
  // `<` escaped so that no URL can close the <script> element the source is inlined in.
  const url = JSON.stringify(options.eventsUrl ?? '/api/events').replace(/</g, '\\u003c');
  const staleAfterMs = Math.max(1, Math.trunc(options.staleAfterMs ?? 45_000));
  return `(function () {
  'use strict';
  if (typeof EventSource !== 'function' || !document.getElementById('overview')) return;
  var indicator = document.getElementById('live');
  var banner = document.getElementById('stale');
  var retryMs = 1000;
  var heardAt = Date.parse(document.getElementById('overview').getAttribute('data-generated-at') || '') || Date.now();
  var staleTitle = null;
  function show(state, text) {
    if (!indicator) return;
    indicator.hidden = false;
    indicator.setAttribute('data-live', state);
    indicator.textContent = text;
  }
  function heard() { heardAt = Date.now(); }
  // Why the page is stale: 'connection' (the server cannot be reached) or 'session' (the event
  // stream answers 401: the session cookie expired, or the token that opened it changed).
  var reason = 'connection';
  function markStale() {
    var overview = document.getElementById('overview');
    if (overview) overview.setAttribute('data-stale', '');
    if (staleTitle === null) {
      staleTitle = 'stale \\u00b7 ' + document.title;
      document.title = staleTitle;
    }
    if (banner && (banner.hidden || banner.getAttribute('data-reason') !== reason)) {
      banner.textContent = (reason === 'session'
        ? 'Not updating: the session of this browser has expired. Open this page again with ?token=<token> added to its address to start a new one.'
        : 'Not updating: the connection to the dashboard is lost.') +
        ' The page shows the fleet as of ' + new Date(heardAt).toISOString().slice(11, 19) + ' UTC.';
      banner.setAttribute('data-reason', reason);
      banner.hidden = false;
    }
  }
  function markFresh() {
    var overview = document.getElementById('overview');
    if (overview) overview.removeAttribute('data-stale');
    if (staleTitle !== null && document.title === staleTitle) document.title = staleTitle.slice(8);
    staleTitle = null;
    if (banner) banner.hidden = true;
  }
  function apply(event) {
    heard();
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (!data || typeof data.html !== 'string') return;
    var id = typeof data.id === 'string' ? data.id : 'overview';
    var current = document.getElementById(id);
    var template = document.createElement('template');
    template.innerHTML = data.html.trim();
    var next = template.content.firstElementChild;
    if (!current || !next || next.id !== id) return;
    current.replaceWith(next);
    markFresh();
    var title = next.getAttribute('data-title');
    if (title) document.title = title;
    show('live', 'live');
  }
  // The browser gave up on a stream (an HTTP error status) and says nothing of why: ask the
  // events URL once whether it refuses this browser's session (401), else take it as lost. Ends
  // the request as soon as its status is known; gives up after 10 s.
  function checkSession(then) {
    var settled = false;
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    function settle(expired) {
      if (settled) return;
      settled = true;
      if (controller) controller.abort();
      then(expired);
    }
    if (typeof fetch !== 'function') return settle(false);
    setTimeout(function () { settle(false); }, 10000);
    fetch(${url}, {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'text/event-stream' },
      signal: controller ? controller.signal : undefined
    }).then(function (response) { settle(response.status === 401); }, function () { settle(false); });
  }
  var source = null;
  var openedAt = 0;
  function connect() {
    show('connecting', 'connecting\\u2026');
    openedAt = Date.now();
    var current = new EventSource(${url});
    source = current;
    current.onopen = function () { heard(); retryMs = 1000; reason = 'connection'; show('live', 'live'); };
    current.addEventListener('overview', apply);
    current.addEventListener('message', apply);
    current.addEventListener('ping', function () { heard(); show('live', 'live'); });
    current.onerror = function () {
      if (source !== current) return;
      show('reconnecting', 'reconnecting\\u2026');
      markStale();
      if (current.readyState === EventSource.CLOSED) {
        source = null;
        checkSession(function (expired) {
          reason = expired ? 'session' : 'connection';
          markStale();
          // Still retried: a session opened meanwhile (the ?token= link in another tab) resumes the page.
          setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, 30000);
        });
      }
    };
  }
  // A connection silent for longer than the server's keepalive allows is dead: a new one.
  setInterval(function () {
    if (source === null || Date.now() - Math.max(heardAt, openedAt) <= ${staleAfterMs}) return;
    source.close();
    source = null;
    show('reconnecting', 'reconnecting\\u2026');
    markStale();
    connect();
  }, Math.max(250, Math.floor(${staleAfterMs} / 3)));
  connect();
})();`;
}
