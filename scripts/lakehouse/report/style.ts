/**
 * The report's stylesheet, inlined in the page: system fonts only, light
 * backgrounds that print, verdicts told by word as well as colour (a
 * greyscale printout still reads), and page breaks between sites.
 */
export const REPORT_CSS = `
:root {
  --text: #1f2933; --muted: #616e7c; --line: #d9dee3; --soft: #f4f6f8;
  --ok: #1e7b4a; --ok-bg: #e6f4ec; --warn: #9a6200; --warn-bg: #fdf3dc; --bad: #b42318; --bad-bg: #fdeceb;
  --info: #3e4c59; --info-bg: #eef1f4; --accent: #2f6690;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; background: #fff; color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
}
.page { max-width: 1120px; margin: 0 auto; padding: 28px 32px 40px; }
h1, h2, h3 { line-height: 1.2; margin: 0; }
h1 { font-size: 26px; font-weight: 650; }
h2 { font-size: 20px; font-weight: 650; }
h3 { font-size: 15px; font-weight: 650; margin-bottom: 4px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11.5px; color: var(--accent); font-weight: 650; }
header.report { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
header.report h1 { margin: 4px 0 12px; }
.meta { display: flex; flex-wrap: wrap; gap: 8px 36px; margin: 0; }
.meta div { min-width: 120px; }
.meta dt { font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.meta dd { margin: 0; font-weight: 600; }
.caution { margin: 12px 0 0; padding: 8px 12px; background: var(--warn-bg); border-left: 4px solid var(--warn); font-size: 13px; }
nav.sites { margin: 0 0 18px; font-size: 13px; color: var(--muted); }
nav.sites a { color: var(--accent); margin-right: 14px; }
section.site { margin-top: 8px; }
section.site + section.site { margin-top: 36px; border-top: 1px solid var(--line); padding-top: 24px; }
.site-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; margin-bottom: 12px; }
.site-head .sub { color: var(--muted); font-size: 13px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin-bottom: 16px; }
.tile { display: flex; flex-direction: column; border: 1px solid var(--line); border-top: 4px solid var(--info); border-radius: 6px; padding: 10px 12px 9px; background: #fff; break-inside: avoid; }
/* Verdicts line up at the foot of each row of tiles. */
.tile .verdict { align-self: flex-start; margin-top: auto; }
.tile .target { margin-bottom: 6px; }
.tile.ok { border-top-color: var(--ok); } .tile.warn { border-top-color: var(--warn); } .tile.bad { border-top-color: var(--bad); }
.tile .label { font-size: 12px; color: var(--muted); font-weight: 600; }
.tile .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; margin: 2px 0 1px; }
.tile .value small { font-size: 13px; font-weight: 500; color: var(--muted); }
.tile .split { display: flex; gap: 14px; margin: 6px 0 4px; }
.tile .split div { font-size: 11.5px; color: var(--muted); }
.tile .split b { display: block; font-size: 20px; color: var(--text); font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .detail { font-size: 12px; color: var(--muted); min-height: 17px; }
.tile .target { font-size: 12px; margin-top: 4px; color: var(--text); }
.verdict { display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 7px; border-radius: 10px; margin-top: 5px; }
.verdict.ok { color: var(--ok); background: var(--ok-bg); } .verdict.warn { color: var(--warn); background: var(--warn-bg); }
.verdict.bad { color: var(--bad); background: var(--bad-bg); } .verdict.info { color: var(--info); background: var(--info-bg); }
.panel { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin-bottom: 14px; break-inside: avoid; }
.panel .caption { color: var(--muted); font-size: 12.5px; margin: 0 0 8px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.row .panel { margin-bottom: 14px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--muted); margin: 0 0 6px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.legend i.dash { height: 0; width: 16px; border-top: 2px dashed #c0392b; border-radius: 0; vertical-align: 3px; }
.legend i.cum { height: 0; width: 16px; border-top: 2px solid #d4771c; border-radius: 0; vertical-align: 3px; }
.legend i.guide { background: #bcc5ce; }
.legend i.priorities { background: linear-gradient(90deg, #c0392b 0 33%, #e08e0b 33% 66%, #2f6690 66%); width: 18px; }
svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
svg.chart .grid { stroke: #e4e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
svg.chart .day { stroke: #cbd2d9; stroke-width: 1; }
svg.chart .tick-mark { stroke: #e4e7eb; stroke-width: 1; }
svg.chart .tick { font-size: 11px; fill: #616e7c; }
svg.chart .tick.strong { font-weight: 650; fill: #3e4c59; }
svg.rate-chart .tick, svg.pareto-chart .tick, svg.rate-chart .note { font-size: 12.5px; }
svg.pareto-chart .value { font-size: 13px; }
svg.chart .label { font-size: 12px; fill: #1f2933; font-weight: 600; }
svg.chart .value { font-size: 11.5px; fill: #1f2933; font-weight: 650; }
svg.chart .note { font-size: 11px; fill: #616e7c; }
svg.chart .flood-note { fill: #c0392b; font-weight: 600; }
svg.chart .flood-line { stroke: #c0392b; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .cumulative { fill: none; stroke: #d4771c; stroke-width: 2; }
svg.chart .cumulative-point { fill: #fff; stroke: #d4771c; stroke-width: 2; }
svg.chart .cumulative-label { font-size: 12px; fill: #a85a12; font-weight: 700; }
svg.chart .guide-bar { fill: #bcc5ce; }
svg.chart .value, svg.chart .cumulative-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th { font-size: 11.5px; color: var(--muted); font-weight: 650; background: var(--soft); border-bottom-color: #c5ccd3; }
th.text, td.text { text-align: left; }
td.nowrap { white-space: nowrap; }
.table-scroll { overflow-x: auto; }
td.id { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11.5px; word-break: break-all; }
tr.total td { font-weight: 650; border-top: 2px solid #c5ccd3; }
td.bad { color: var(--bad); font-weight: 650; } td.warn { color: var(--warn); font-weight: 650; }
.swatch { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 6px; }
.empty { padding: 28px; text-align: center; border: 1px dashed #c5ccd3; border-radius: 6px; color: var(--muted); font-size: 15px; background: var(--soft); }
.empty strong { display: block; color: var(--text); font-size: 18px; margin-bottom: 4px; }
footer.report { margin-top: 28px; border-top: 1px solid var(--line); padding-top: 16px; font-size: 12.5px; color: #3e4c59; break-inside: avoid; }
footer.report h2 { font-size: 15px; margin-bottom: 8px; }
footer.report ul { margin: 8px 0; padding-left: 18px; }
footer.report ol { margin: 6px 0 0; padding-left: 18px; }
footer.report table { margin-top: 4px; }
footer.report td { text-align: left; }
footer.report .source { color: var(--muted); word-break: break-all; }
@media (max-width: 820px) { .tiles { grid-template-columns: repeat(2, 1fr); } .row { grid-template-columns: 1fr; } }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size: 11.5px; }
  .page { max-width: none; padding: 0; }
  nav.sites { display: none; }
  section.site + section.site { break-before: page; border-top: 0; padding-top: 0; }
  footer.report { break-before: page; }
  .tiles { grid-template-columns: repeat(4, 1fr); }
  /* Side by side, the small charts' labels get too small to read on A4. */
  .row { grid-template-columns: 1fr; }
  .row svg.chart { max-width: 540px; }
  table.areas { font-size: 10.5px; }
  table.areas th, table.areas td { padding: 4px 4px; }
}
`;
