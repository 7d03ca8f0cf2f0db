/** Styles of report.html (inlined: the file must work offline). */
export const REPORT_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #fff; --accent: #2563eb; --bad: #c2410c; --good: #15803d; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; padding: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin-bottom: 16px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.l, th.l { text-align: left; }
th.sortable { cursor: pointer; user-select: none; } th.sortable:hover { color: var(--accent); }
th.sorted-asc::after { content: ' ▲'; } th.sorted-desc::after { content: ' ▼'; }
tr.sample { cursor: pointer; } tr.sample:hover { background: #f5f8ff; } tr.selected { background: #e8efff; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card h3 { margin-top: 0; }
.chart { position: relative; height: 260px; }
.pass { color: var(--good); } .fail { color: var(--bad); } .muted { color: var(--muted); }
.break { background: #fff4ed; } .compaction td:first-child::before { content: '⟳ '; color: var(--accent); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #eef2ff; font-size: 12px; }
#filter { padding: 4px 8px; margin-bottom: 8px; width: 280px; }
#drilldown { margin-top: 16px; }
.note { color: var(--muted); font-size: 12px; }
.partial { border: 1px solid var(--bad); border-radius: 8px; background: #fff4ed; padding: 8px 12px; margin-bottom: 16px; }
`;
