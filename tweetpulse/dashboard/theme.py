"""Colours, number formats and the page's style sheet (inlined: nothing to ship beside the package)."""

from __future__ import annotations

import math
from string import Template

from tweetpulse.live.aggregates import OVERALL

# the coins' lines must stay apart for colour-blind viewers too: Bitcoin's orange and Ethereum's blue (their
# own colours) with a dark Shiba brown for Dogecoin (its gold was Bitcoin's orange under deuteranopia and
# protanopia). tests/unit/test_dashboard_theme.py checks a minimum CIEDE2000 distance, also simulated.
GROUP_COLOURS = {OVERALL: "#334155", "bitcoin": "#f7931a", "ethereum": "#627eea", "dogecoin": "#7c4f1f"}
FALLBACK_COLOURS = ("#0d9488", "#db2777", "#7c3aed", "#0284c7", "#65a30d", "#ea580c")
LABEL_COLOURS = {"positive": "#16a34a", "negative": "#dc2626", "neutral": "#94a3b8"}
LABEL_TINTS = {"positive": "#ecfdf3", "negative": "#fef2f2", "neutral": "#f8fafc"}
LABELS = ("positive", "negative", "neutral")
FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#0f172a"
MUTED = "#64748b"
GRID = "#e2e8f0"


def colour_for(group: str, index: int = 0) -> str:
    """The colour of a keyword group: fixed for the known coins, from a palette for the others."""
    return GROUP_COLOURS.get(group, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def display_name(group: str) -> str:
    return "All tweets" if group == OVERALL else group[:1].upper() + group[1:]


def signed(value: float, digits: int = 1) -> str:
    """``+1,234.5`` / ``−12.0`` (a real minus sign), ``0`` for zero."""
    if not value or not math.isfinite(value):
        return "0"
    text = f"{abs(value):,.{digits}f}"
    return ("+" if value > 0 else "\u2212") + text


def compact(value: float) -> str:
    """12, 1.2k, 34k, 1.2M."""
    value = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            scaled = value / limit
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:.0f}"


def milliseconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "—"
    ms = seconds * 1000
    return f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def tone(value: float) -> str:
    """The CSS class of a signed number: up, down or flat."""
    return "up" if value > 0 else "down" if value < 0 else "flat"


CSS = Template("""
:root { --ink: $ink; --muted: $muted; --line: $grid; --bg: #f1f5f9; --card: #ffffff;
        --pos: $pos; --neg: $neg; --neu: $neu; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font-family: $font; font-size: 14px; }
.tp-page { max-width: 1480px; margin: 0 auto; padding: 14px 18px 28px; }
.tp-header { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 24px;
             padding: 4px 2px 12px; }
.tp-brand { display: flex; align-items: baseline; gap: 10px; }
.tp-brand h1 { font-size: 24px; line-height: 1.1; margin: 0; letter-spacing: -0.02em; }
.tp-brand h1 span { color: #f7931a; }
.tp-tagline { color: var(--muted); font-size: 13px; }
.tp-sub { color: var(--muted); font-size: 12.5px; margin-top: 4px; word-break: break-word; }
.tp-keywords { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.tp-chip { display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px 2px 7px; border-radius: 999px;
           background: #fff; border: 1px solid var(--line); font-size: 12px; color: var(--muted); }
.tp-chip b { color: var(--ink); font-weight: 600; }
.tp-dot { width: 9px; height: 9px; border-radius: 50%; display: inline-block; flex: none; }
.tp-status { font-size: 12.5px; color: var(--muted); display: flex; align-items: center; gap: 7px;
  white-space: nowrap; }
.tp-status .tp-dot { background: #cbd5e1; }
.tp-status.live .tp-dot { background: var(--pos); box-shadow: 0 0 0 3px #dcfce7; }
.tp-status.stale .tp-dot { background: #f59e0b; }
.tp-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px;
  margin-bottom: 12px; }
.tp-card { background: var(--card); border-radius: 12px; padding: 12px 14px 12px 16px; border: 1px solid var(--line);
           border-left: 5px solid var(--accent, #334155); min-width: 0; }
.tp-card-title { display: flex; justify-content: space-between; align-items: baseline; font-weight: 600;
  font-size: 13px; }
.tp-card-title small { color: var(--muted); font-weight: 500; font-size: 12px; }
.tp-card-value { font-size: 26px; font-weight: 700; letter-spacing: -0.02em; margin: 4px 0 0;
  font-variant-numeric: tabular-nums; }
.tp-card-caption { color: var(--muted); font-size: 11.5px; margin-bottom: 6px; }
.tp-card-line { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #334155;
  font-variant-numeric: tabular-nums; }
.tp-split { display: flex; height: 6px; border-radius: 3px; overflow: hidden; background: #e2e8f0; margin-top: 8px; }
.tp-split span { display: block; height: 100%; }
.up { color: var(--pos); } .down { color: var(--neg); } .flat { color: var(--muted); }
.tp-grid { display: grid; gap: 12px; margin-bottom: 12px; }
.tp-grid.wide-narrow { grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); }
.tp-grid.tables { grid-template-columns: minmax(0, 1.65fr) minmax(0, 1fr); }
.tp-grid.halves { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.tp-panel { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px;
  min-width: 0; }
.tp-panel-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 6px 12px;
                 margin-bottom: 4px; }
.tp-panel h2 { font-size: 14px; margin: 0; font-weight: 650; }
.tp-panel h2 small { font-weight: 500; color: var(--muted); font-size: 12px; margin-left: 6px; }
.tp-note { color: var(--muted); font-size: 12px; }
.tp-modes { display: flex; flex-wrap: wrap; gap: 4px; font-size: 12.5px; }
.tp-modes label { display: inline-flex; align-items: center; gap: 4px; padding: 3px 9px; border: 1px solid var(--line);
                  border-radius: 999px; cursor: pointer; background: #f8fafc; color: #334155; margin: 0; }
.tp-modes input { margin: 0; accent-color: #0f172a; }
.tp-shares { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; margin-top: 2px; text-align: center; }
.tp-share { border-radius: 8px; padding: 6px 4px; background: #f8fafc; }
.tp-share b { display: block; font-size: 17px; font-variant-numeric: tabular-nums; }
.tp-share span { font-size: 11.5px; color: var(--muted); }
.tp-classify textarea { width: 100%; min-height: 74px; resize: vertical; border: 1px solid #cbd5e1; border-radius: 8px;
                        padding: 8px 10px; font: inherit; color: var(--ink); }
.tp-classify-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
.tp-classify-row .dash-input-container { width: 190px; flex: none; }
.tp-classify-row input { font: inherit; }
.tp-button { background: #0f172a; color: #fff; border: 0; border-radius: 8px; padding: 7px 16px; font: inherit;
             font-weight: 600; cursor: pointer; }
.tp-button:hover { background: #1e293b; }
.tp-result { margin-top: 10px; min-height: 58px; }
.tp-result-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(104px, 1fr)); gap: 6px; }
.tp-metric { background: #f8fafc; border-radius: 8px; padding: 6px 9px; }
.tp-metric span { display: block; font-size: 11px; color: var(--muted); }
.tp-metric b { font-size: 15px; font-variant-numeric: tabular-nums; }
.tp-badge { display: inline-block; padding: 1px 9px; border-radius: 999px; color: #fff; font-weight: 600;
  font-size: 12.5px; }
.tp-badge.positive { background: var(--pos); } .tp-badge.negative { background: var(--neg); }
.tp-badge.neutral { background: var(--neu); }
.tp-hint { color: var(--muted); font-size: 12.5px; }
.tp-health { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 8px; }
.tp-health .tp-metric b { font-size: 17px; }
.tp-lag { margin-top: 8px; font-size: 12px; color: #334155; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.tp-lag span { background: #f1f5f9; border-radius: 6px; padding: 2px 7px; font-variant-numeric: tabular-nums; }
.tp-alert { margin-top: 8px; font-size: 13px; color: #7c2d12; background: #fff7ed; border-left: 3px solid #c2410c;
  padding: 4px 8px; overflow-wrap: anywhere; }
.tp-foot { color: var(--muted); font-size: 11.5px; text-align: center; margin-top: 6px; }
.dash-table-container .dash-spreadsheet-container .dash-spreadsheet-inner td,
.dash-table-container .dash-spreadsheet-container .dash-spreadsheet-inner th { font-family: $font !important; }
@media (max-width: 1180px) {
  .tp-grid.tables { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 1000px) {
  .tp-cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media (max-width: 900px) {
  .tp-grid.wide-narrow { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 760px) {
  .tp-grid.halves { grid-template-columns: minmax(0, 1fr); }
  .tp-page { padding: 10px; } .tp-card-value { font-size: 22px; }
}
""").substitute(
    ink=INK,
    muted=MUTED,
    grid=GRID,
    font=FONT,
    pos=LABEL_COLOURS["positive"],
    neg=LABEL_COLOURS["negative"],
    neu=LABEL_COLOURS["neutral"],
)

INDEX_STRING = (
    """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <style>"""
    + CSS
    + """</style>
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
)
