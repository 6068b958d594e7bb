"""Chinese text that renders anywhere: a font fallback list and an embedded Noto Sans CJK SC subset.

The subset is embedded as a web font when the machine writing the report has the font.

Text stays text (SVG `<text>`, HTML), so it is searchable and sharp. A reader's own CJK font is
used first (Noto/Source Han, PingFang, Microsoft YaHei, ...); the embedded subset (only the
characters the report uses, ~10-30 kB) is the last named fallback, so a machine without any CJK
font still shows characters, not boxes. Noto Sans CJK is under the SIL Open Font License 1.1, which
allows embedding; the subset is renamed "Planner CJK" and keeps the font's copyright and licence.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
from pathlib import Path

from planner.results.plan_folder import read_bytes

logger = logging.getLogger(__name__)

EMBEDDED_FAMILY = "Planner CJK"
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
)
"""Installed CJK fonts to prefer, in order (the first two are the same design)."""
FONT_STACK = (*CJK_FAMILIES, EMBEDDED_FAMILY)
CSS_FONT_STACK = ", ".join(f'"{f}"' for f in FONT_STACK) + ", system-ui, sans-serif"
_SOURCE_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN")


def font_face_css(text: str) -> str:
    """An `@font-face` rule embedding the CJK characters of `text`, or "" without a source font."""
    chars = "".join(sorted({ch for ch in text if ord(ch) > 0x2E7F}))
    return _font_face(chars) if chars else ""


@functools.lru_cache(maxsize=8)
def _font_face(chars: str) -> str:
    source = find_source_font()
    if source is None:
        logger.info("no Noto Sans CJK SC / Source Han Sans SC found: report relies on the reader's CJK fonts")
        return ""
    woff = subset_woff(source[0], source[1], chars)
    data = base64.b64encode(woff).decode("ascii")
    return f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-weight: 400; src: url(data:font/woff;base64,{data}) format("woff"); }}'


@functools.lru_cache(maxsize=1)
def find_source_font() -> tuple[str, int] | None:
    """(file, face index) of an installed regular Noto Sans CJK SC or Source Han Sans SC."""
    from matplotlib import font_manager

    entries = [e for e in font_manager.fontManager.ttflist if e.name in _SOURCE_FAMILIES and e.weight == 400 and e.style == "normal"]
    if not entries:  # matplotlib's cached font list may predate the fonts (installed later): scan the font folders again
        entries = [e for e in font_manager.FontManager().ttflist if e.name in _SOURCE_FAMILIES and e.weight == 400 and e.style == "normal"]
    entries.sort(key=lambda e: (_SOURCE_FAMILIES.index(e.name), e.fname, e.index))
    return (entries[0].fname, int(entries[0].index)) if entries else None


def subset_woff(path: str, index: int, chars: str) -> bytes:
    """A WOFF of face `index` of `path` holding only `chars`, renamed to the embedded family."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(read_bytes(Path(path))), fontNumber=index, lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 13, 14]
    options.hinting = False
    options.flavor = "woff"
    # Horizontal text without OpenType features: dropping these tables halves the subsetting time.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 2):
            names.removeNames(nameID=record.nameID)
    names.setName(EMBEDDED_FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()
