"""Every HTML page the planner writes (report, compare, sweep), from one Jinja2 template set and one stylesheet.

A page is a `Document` (title, sections of blocks, footer); `templates/page.html` lays it out and
`templates/style.css` styles it. Pages are self-contained: the stylesheet and the Chinese font
subset are inline, charts and the map are inline SVG, and there is no JavaScript.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2

from planner.report.fonts import CSS_FONT_STACK, font_face_css
from planner.report.glossary import Lang

if TYPE_CHECKING:
    from planner.report.document import Document

_NUMERIC = re.compile(r"^[-−+]?\d[\d,]*(\.\d+)?( ?%)?( \S+)?$")
VERDICT_CLASS = {"✓": "met", "✗": "unmet", "–": "nm"}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template set shipped in `planner/report/templates/` (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("planner.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["cell_class"] = cell_class
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The one stylesheet of every page."""
    loader = environment().loader
    assert loader is not None
    source, _, _ = loader.get_source(environment(), "style.css")
    return source.replace("FONTS", CSS_FONT_STACK)


def is_numeric(cells: list[str]) -> bool:
    """A column of numbers (with separators, %, a unit)."""
    shown = [c for c in cells if c not in ("", "–")]
    return bool(shown) and all(_NUMERIC.match(c) for c in shown)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def cell_class(text: object, numeric: bool) -> str:
    """The class attribute of a table cell: numbers right-aligned, verdicts coloured, long text wraps."""
    text = str(text)
    if numeric:
        return ' class="num"'
    if text[:1] in VERDICT_CLASS:
        return f' class="{VERDICT_CLASS[text[:1]]}"'
    width = _width(text)
    return ' class="long"' if width > 110 else ' class="wrap"' if width > 26 else ""


def render(doc: Document, lang: Lang, page_class: str = "report") -> str:
    """A `Document` as one self-contained HTML page."""
    text = (
        environment()
        .get_template("page.html")
        .render(
            title=doc.title,
            subtitle=doc.subtitle,
            meta=doc.meta,
            sections=doc.sections,
            footer=doc.footer,
            css=stylesheet(),
            lang=lang,
            page_class=page_class,
            figure_word=lang("Figure", "图"),
            data_word=lang("Data", "数据"),
        )
    )
    return text.replace("/*FONT-FACE*/", font_face_css(text), 1)
