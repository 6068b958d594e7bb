"""A `Document` -> report.md (text for review and diffs) and report.html (one self-contained page).

The HTML comes from the Jinja2 template set in `pages.py`; the Markdown walks the same blocks here,
so the two files hold the same content.
"""

from __future__ import annotations

import pandas as pd

from planner.report.document import Alert, Block, Bullets, Cards, Columns, Document, Figure, Para, Subheading, Table
from planner.report.glossary import Lang
from planner.report.pages import is_numeric, render


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(frame: pd.DataFrame) -> str:
    """A pipe table; numeric-looking columns right-aligned."""
    head = "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if is_numeric([str(x) for x in frame[c]]) else "---" for c in frame.columns) + "|"
    body = ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _md_block(block: Block, lang: Lang) -> list[str]:
    if isinstance(block, Para):
        return [f"*{block.text}*" if block.note else block.text, ""]
    if isinstance(block, Alert):
        return [f"> **{block.text}**", ""]
    if isinstance(block, Subheading):
        return [f"### {block.text}", ""]
    if isinstance(block, Bullets):
        return [f"{i}. " + " ".join(item) for i, item in enumerate(block.items, start=1)] + [""]
    if isinstance(block, Cards):
        return [md_table(block.frame), ""]
    if isinstance(block, Table):
        return ([f"**{block.caption}**", ""] if block.caption else []) + [md_table(block.frame), ""]
    if isinstance(block, Columns):
        return [line for column in block.columns for inner in column for line in _md_block(inner, lang)]
    if isinstance(block, Figure):
        what = lang("map", "地图") if block.kind == "map" else lang("chart", "图表")
        out = [
            f"**{lang('Figure', '图')} {block.number}.** {block.caption} "
            f"({lang(f'The {what} is in report.html; its data:', f'{what}见 report.html，数据如下：')})",
            "",
        ]
        return out + ([md_table(block.data.frame), ""] if block.data is not None else [])
    return []


def to_markdown(doc: Document, lang: Lang | None = None) -> str:
    """The report as GitHub-flavoured Markdown."""
    lang = lang or Lang()
    out = [f"# {doc.title}", "", doc.subtitle, "", f"*{doc.meta}*", ""]
    out += [lang("Contents: ", "目录：") + " · ".join(f"[{s.title}](#{s.anchor})" for s in doc.sections), ""]
    for section in doc.sections:
        out += [f'<a id="{section.anchor}"></a>', "", f"## {section.title}", ""]
        for block in section.blocks:
            out += _md_block(block, lang)
    out += ["---", ""] + [f"{line}  " for line in doc.footer] + [""]
    return "\n".join(out)


def to_html(doc: Document, lang: Lang | None = None) -> str:
    """The report as one self-contained HTML page."""
    return render(doc, lang or Lang())
