"""A `Document` -> report.md (text for review and diffs) and report.html (one self-contained page).

The HTML loads nothing: styles and fonts are inline, charts and the map are inline SVG, and there is
no JavaScript. Both renderers walk the same blocks, so the two files hold the same content.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from planner.report.document import Cards, Document, Figure, Para, Subheading, Table
from planner.report.fonts import CSS_FONT_STACK, font_face_css

_NUMERIC = re.compile(r"^[-−+]?\d[\d,]*(\.\d+)?( ?%)?( \S+)?$")


# --------------------------------------------------------------------------- Markdown


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(frame: pd.DataFrame) -> str:
    """A pipe table; numeric-looking columns right-aligned."""
    head = "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if _is_numeric(frame[c]) else "---" for c in frame.columns) + "|"
    body = ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _is_numeric(column: pd.Series) -> bool:
    cells = [str(x) for x in column if str(x) not in ("", "–")]
    return bool(cells) and all(_NUMERIC.match(c) for c in cells)


def to_markdown(doc: Document) -> str:
    """The report as GitHub-flavoured Markdown."""
    out = [f"# {doc.title}", "", doc.subtitle, "", f"*{doc.meta}*", ""]
    out += ["Contents: " + " · ".join(f"[{s.title}](#{s.anchor})" for s in doc.sections), ""]
    figures = 0
    for section in doc.sections:
        out += [f'<a id="{section.anchor}"></a>', "", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Para):
                out += [f"*{block.text}*" if block.note else block.text, ""]
            elif isinstance(block, Subheading):
                out += [f"### {block.text}", ""]
            elif isinstance(block, Cards):
                out += [md_table(block.frame), ""]
            elif isinstance(block, Table):
                out += ([f"**{block.caption}**", ""] if block.caption else []) + [
                    md_table(block.frame),
                    "",
                ]
            elif isinstance(block, Figure):
                figures += 1
                what = "map" if block.kind == "map" else "chart"
                out += [
                    f"**Figure {figures}.** {block.caption} (The {what} is in report.html; its data:)",
                    "",
                    md_table(block.data.frame),
                    "",
                ]
    out += ["---", ""] + [f"{line}  " for line in doc.footer] + [""]
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    """A table in a horizontally scrollable wrapper."""
    numeric = [_is_numeric(frame[c]) for c in frame.columns]
    head = "".join(f"<th{' class=num' if n else ''}>{html.escape(str(c))}</th>" for c, n in zip(frame.columns, numeric, strict=True))
    rows = "".join(
        "<tr>" + "".join(f"<td{_cell_class(str(x), n)}>{html.escape(str(x))}</td>" for x, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def _cells_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cell_class(text: str, numeric: bool) -> str:
    """Numbers right-aligned; short text kept on one line; long text wraps at a readable width."""
    if numeric:
        return " class=num"
    width = _cells_width(text)
    return " class=long" if width > 110 else " class=wrap" if width > 26 else ""


def _cards(frame: pd.DataFrame) -> str:
    cards = "".join(
        f'<div class="card"><div class="value">{html.escape(str(value))}</div><div class="label">{html.escape(str(what))}</div></div>'
        for what, value in frame.itertuples(index=False)
    )
    return f'<div class="cards">{cards}</div>'


def to_html(doc: Document) -> str:
    """The report as one self-contained HTML page."""
    parts, figures = [], 0
    for section in doc.sections:
        body = []
        for block in section.blocks:
            if isinstance(block, Para):
                body.append(f"<p{' class=note' if block.note else ''}>{html.escape(block.text)}</p>")
            elif isinstance(block, Subheading):
                body.append(f"<h3>{html.escape(block.text)}</h3>")
            elif isinstance(block, Cards):
                body.append(_cards(block.frame))
            elif isinstance(block, Table):
                body.append(html_table(block.frame, block.caption))
            elif isinstance(block, Figure):
                figures += 1
                body.append(
                    f'<figure class="{block.kind}" id="figure-{figures}">{block.svg}'
                    f"<figcaption><b>Figure {figures}.</b> {html.escape(block.caption)}</figcaption>"
                    f"<details><summary>Data</summary>{html_table(block.data.frame)}</details></figure>"
                )
        parts.append(f'<section id="{section.anchor}"><h2>{html.escape(section.title)}</h2>{"".join(body)}</section>')
    nav = "".join(f'<a href="#{s.anchor}">{html.escape(s.title)}</a>' for s in doc.sections)
    footer = "".join(f"<p>{html.escape(line)}</p>" for line in doc.footer)
    page_body = (
        f'<header><h1>{html.escape(doc.title)}</h1><p class="subtitle">{html.escape(doc.subtitle)}</p>'
        f'<p class="meta">{html.escape(doc.meta)}</p></header><nav>{nav}</nav><main>{"".join(parts)}</main><footer>{footer}</footer>'
    )
    fonts = font_face_css(page_body)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(doc.title)}</title><style>{fonts}{CSS}</style></head>"
        f"<body>{page_body}</body></html>\n"
    )


CSS = (
    """
:root { --font: FONTS; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #1971c2; --bg: #f5f7fa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font-family: var(--font); font-size: 15px; line-height: 1.5; }
header, nav, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header { padding-top: 28px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: 0.01em; }
.subtitle { margin: 0 0 6px; color: var(--ink); max-width: 80ch; }
.meta { margin: 0; color: var(--muted); font-size: 13px; }
nav { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); padding-top: 8px; padding-bottom: 8px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 24px 20px; margin: 18px 0; }
h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 16px; margin: 20px 0 8px; }
p { margin: 8px 0; max-width: 100ch; }
p.note { color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 4px 0 16px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 12px; background: #fbfcfe; }
.card .value { font-size: 21px; font-weight: 700; font-variant-numeric: tabular-nums; }
.card .label { font-size: 12.5px; color: var(--muted); }
.table-wrap { overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; font-size: 13px; min-width: 40%; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td { white-space: nowrap; }
td.wrap { white-space: normal; min-width: 13em; }
td.long { white-space: normal; min-width: 24em; }
th { background: #eef2f6; font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 12px 0 22px; }
figure svg { display: block; width: 100%; height: auto; max-width: 980px; }
figure.map svg { max-width: 1100px; border: 1px solid var(--line); border-radius: 6px; }
svg.chart text { font-family: var(--font) !important; }
svg.map text { font-family: var(--font); font-size: 12px; fill: #343a40; }
svg.map .hub-name { font-size: 15px; font-weight: 700; }
svg.map .hub-sub { font-size: 11px; }
svg.map .cluster-name { font-size: 13px; font-weight: 600; }
svg.map .cluster-sub { font-size: 10.5px; }
svg.map .small { font-size: 11.5px; }
svg.map .legend-title { font-size: 13px; font-weight: 700; }
svg.map .halo { paint-order: stroke; stroke: #fff; stroke-width: 3.2px; stroke-linejoin: round; }
svg.map .prov path:hover { fill: #f1f3f5; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; max-width: 110ch; }
details { margin-top: 6px; font-size: 13px; }
summary { cursor: pointer; color: var(--accent); }
footer { padding-top: 4px; padding-bottom: 32px; font-size: 12px; color: var(--muted); }
@media (max-width: 720px) {
  header, nav, main, footer { padding-left: 12px; padding-right: 12px; }
  section { padding: 14px 12px; }
  body { font-size: 14px; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 10.5pt; }
  nav, details { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  section { border: none; padding: 0; margin: 0 0 10mm; }
  h2, h3 { break-after: avoid; }
  figure, .cards, tr { break-inside: avoid; }
  th { position: static; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  td, td.num { white-space: normal; }
  td.wrap, td.long { min-width: 0; }
  figure svg { max-width: 100%; }
  a { color: inherit; text-decoration: none; }
}
"""
).replace("FONTS", CSS_FONT_STACK)
