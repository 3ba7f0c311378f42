/**
 * The pages' only stylesheet, embedded in every page (no external assets). System fonts, light and
 * dark through `prefers-color-scheme`, state colours as custom properties. Every text colour on its
 * background reaches WCAG AA (4.5:1) in both themes; `test/render/contrast.test.ts` checks each rule
 * that sets both.
 */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --fg: #1c2128; --muted: #5d6673; --card: #fff; --line: #d8dde3; --link: #0b5cd5;
  --up: #17752f; --degraded: #8a5c00; --down: #c62828; --unknown: #59626e; --deploying: #0b5cd5;
  --up-bg: #dcf5e3; --degraded-bg: #fff3c4; --down-bg: #fde2e0; --unknown-bg: #eceef1; --deploying-bg: #dde9fd;
  --seg-ok: #2e9e44; --seg-partial: #d9a400; --seg-bad: #d73a2f; --seg-none: #c4c8ce;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1318; --fg: #e2e6eb; --muted: #949ea9; --card: #171c23; --line: #2c333c; --link: #6ea8fe;
    --up: #56d364; --degraded: #e3b341; --down: #ff7b72; --unknown: #9aa4ae; --deploying: #6ea8fe;
    --up-bg: #12321c; --degraded-bg: #3a2e0a; --down-bg: #451614; --unknown-bg: #262c33; --deploying-bg: #142a4d;
    --seg-ok: #3fb950; --seg-partial: #d29922; --seg-bad: #f85149; --seg-none: #3a424c;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: var(--link); }
code { font: 0.9em ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.top { display: flex; align-items: baseline; gap: 1rem; padding: 0.9rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--card); }
.top h1 { margin: 0; font-size: 1.25rem; }
.top h1 a { color: inherit; text-decoration: none; }
.top .crumb { color: var(--muted); font-weight: normal; }
main { max-width: 76rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
h2 { font-size: 1.05rem; margin: 0 0 0.6rem; }
h3 { font-size: 0.95rem; margin: 0.8rem 0 0.4rem; }
.muted, .meta, .address { color: var(--muted); font-weight: normal; }
.meta, .address { font-size: 0.85em; margin-left: 0.4em; }
.empty { color: var(--muted); font-style: italic; margin: 0.4rem 0; }
.live { margin-left: auto; font-size: 0.85rem; padding: 0.1rem 0.6rem; border-radius: 1rem; background: var(--unknown-bg); color: var(--muted); }
.live[data-live="live"] { background: var(--up-bg); color: var(--up); }
.live[data-live="live"]::before { content: "● "; }
.counts { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-bottom: 1rem; }
.count { padding: 0.3rem 0.75rem; border-radius: 0.4rem; background: var(--card); border: 1px solid var(--line); }
.count strong { font-size: 1.1em; }
.count.zero { color: var(--muted); }
.count-up:not(.zero) { background: var(--up-bg); color: var(--up); border-color: transparent; }
.count-degraded:not(.zero) { background: var(--degraded-bg); color: var(--degraded); border-color: transparent; }
.count-down:not(.zero) { background: var(--down-bg); color: var(--down); border-color: transparent; }
.count-deploying:not(.zero) { background: var(--deploying-bg); color: var(--deploying); border-color: transparent; }
.count-unknown:not(.zero) { background: var(--unknown-bg); color: var(--unknown); border-color: transparent; }
.deploy { border: 2px solid var(--deploying); background: var(--deploying-bg); border-radius: 0.5rem; padding: 0.8rem 1rem; margin-bottom: 1rem; overflow-wrap: anywhere; }
.deploy-failed, .deploy-aborted { border-color: var(--down); background: var(--down-bg); }
.deploy ul { margin: 0.3rem 0 0; padding-left: 1.1rem; }
.deploy .deploy-status { text-transform: uppercase; font-size: 0.75em; font-weight: 700; letter-spacing: 0.03em; }
.deploy-host[data-status="failed"] .deploy-status, .deploy-problems { color: var(--down); }
.problems { border: 2px solid var(--degraded); background: var(--degraded-bg); border-radius: 0.5rem; padding: 0.8rem 1rem; margin-bottom: 1rem; }
.problems.has-errors { border-color: var(--down); background: var(--down-bg); }
.problems h2 { margin-bottom: 0.4rem; }
.problems ul { margin: 0; padding-left: 1.1rem; }
.problems li { margin: 0.2rem 0; }
.problems .severity { text-transform: uppercase; font-size: 0.75em; font-weight: 700; letter-spacing: 0.03em; }
.problem-error .severity { color: var(--down); }
.problem-warning .severity { color: var(--degraded); }
.problems .path { color: var(--muted); }
.host, .panel, .card { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.8rem 1rem; margin-bottom: 1rem; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 1rem; }
.node + .node { border-top: 1px solid var(--line); margin-top: 0.6rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.8rem; font-weight: 600; color: var(--muted); white-space: nowrap; }
tbody th { font-weight: 600; white-space: nowrap; }
/* Fixed columns line the tables of all hosts up; on a phone they scroll sideways instead of squeezing. */
table.targets { table-layout: fixed; min-width: 56rem; }
.targets tbody th, .targets td { overflow-wrap: anywhere; white-space: normal; }
.targets thead th:nth-child(1) { width: 19%; } .targets thead th:nth-child(2) { width: 26%; }
.targets thead th:nth-child(3) { width: 12%; } .targets thead th:nth-child(4) { width: 14%; }
.targets td.kind { white-space: nowrap; overflow-wrap: normal; }
.targets thead th:nth-child(5) { width: 9%; } .targets thead th:nth-child(6) { width: 10%; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: none; }
tfoot th, tfoot td { border-top: 2px solid var(--line); border-bottom: none; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.targets thead th.bar-col { width: 10rem; } td.bar-col { vertical-align: middle; }
.state { display: inline-block; padding: 0 0.55rem; border-radius: 1rem; font-weight: 600; font-size: 0.9em; white-space: nowrap; }
.state-up { color: var(--up); background: var(--up-bg); }
.state-degraded { color: var(--degraded); background: var(--degraded-bg); }
.state-down { color: var(--down); background: var(--down-bg); }
.state-unknown { color: var(--unknown); background: var(--unknown-bg); }
.state-deploying { color: var(--deploying); background: var(--deploying-bg); }
tr[data-state="down"] > th:first-child { box-shadow: inset 3px 0 var(--down); }
tr[data-state="degraded"] > th:first-child { box-shadow: inset 3px 0 var(--degraded); }
.error { color: var(--down); font-size: 0.85em; overflow-wrap: anywhere; }
tr.has-dead { background: var(--down-bg); }
tr.has-dead .dead strong { color: var(--down); }
tr.lagging td:nth-child(2) { color: var(--degraded); font-weight: 600; }
.footer { color: var(--muted); font-size: 0.85rem; }
.seg-ok { fill: var(--seg-ok); } .seg-partial { fill: var(--seg-partial); } .seg-bad { fill: var(--seg-bad); } .seg-none, .bar-bg { fill: var(--seg-none); }
.uptime-bar { display: block; border-radius: 2px; }
.latency-chart { display: block; max-width: 100%; height: auto; }
/* The wide chart's labels would be a few pixels tall on a phone, so phones get a narrower drawing. */
.chart-narrow { display: none; }
.latency-chart .axis, .latency-chart .empty { fill: var(--muted); }
.line-p50 { stroke: var(--deploying); } circle.line-p50 { fill: var(--deploying); }
.line-p95 { stroke: #e8590c; } circle.line-p95 { fill: #e8590c; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.6rem; margin: 0 0 0.8rem; }
.stat { background: var(--bg); border-radius: 0.4rem; padding: 0.5rem 0.75rem; }
.stat dt { font-size: 0.8rem; color: var(--muted); }
.stat dd { margin: 0; font-size: 1.25rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
/* Shown by the live updater when it lost the connection: the page is no longer current. */
.stale { margin: 0; padding: 0.5rem 1.5rem; background: var(--down-bg); color: var(--down); font-weight: 600; border-bottom: 1px solid var(--line); }
#overview[data-stale] { opacity: 0.5; }
@media (max-width: 40rem) {
  .top, .stale { padding-left: 0.75rem; padding-right: 0.75rem; }
  main { padding-left: 0.75rem; padding-right: 0.75rem; }
  /* Name and state fit the screen; the rest of the row scrolls sideways. */
  table.targets { min-width: 49rem; }
  .targets thead th:nth-child(1) { width: 7.5rem; } .targets thead th:nth-child(2) { width: 11rem; }
  .targets thead th:nth-child(3) { width: 7rem; } .targets thead th:nth-child(4) { width: 6rem; }
  .targets thead th:nth-child(5) { width: 4rem; } .targets thead th:nth-child(6) { width: 4.5rem; }
}
@media (max-width: 52rem) {
  .chart-wide { display: none; }
  .chart-narrow { display: block; max-width: 30rem; }
}
`;
