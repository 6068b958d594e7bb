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
import hashlib
import io
import logging
import os
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
    chars = "".join(sorted(ch for ch in set(text) if ord(ch) > 0x2E7F))
    return _font_face(chars) if chars else ""


@functools.lru_cache(maxsize=8)
def _font_face(chars: str) -> str:
    source = find_source_font()
    if source is None:
        logger.info("no Noto Sans CJK SC / Source Han Sans SC found: report relies on the reader's CJK fonts")
        return ""
    woff = cached_subset(source[0], source[1], chars)
    data = base64.b64encode(woff).decode("ascii")
    return (
        f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-weight: 400; src: url(data:font/woff;base64,{data}) '
        f'format("woff"); }}'
    )


FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
_FILE_PATTERNS = (
    "NotoSansCJK*Regular.tt[co]",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSans*Regular.tt[co]",
    "SourceHanSansSC-Regular.otf",
)


@functools.lru_cache(maxsize=1)
def find_source_font() -> tuple[str, int] | None:
    """(file, face index) of an installed regular Noto Sans CJK SC or Source Han Sans SC.

    Looks in the usual font folders by file name and reads only the candidates' name tables
    (no font-manager scan: that alone took longer than the whole report).
    """
    from fontTools.ttLib import TTCollection, TTFont

    found: list[tuple[int, str, int]] = []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for pattern in _FILE_PATTERNS:
            for path in sorted(root.rglob(pattern)):
                try:
                    faces = (
                        TTCollection(str(path), lazy=True).fonts
                        if path.suffix.lower() == ".ttc"
                        else [TTFont(str(path), lazy=True)]
                    )
                except Exception as error:  # fontTools raises many kinds on a damaged file: skip it, say so in the log
                    logger.debug("skipping unreadable font %s: %s", path, error)
                    continue
                for index, face in enumerate(faces):
                    family = face["name"].getDebugName(1) or ""
                    style = face["name"].getDebugName(2) or ""
                    if family in _SOURCE_FAMILIES and style == "Regular":
                        found.append((_SOURCE_FAMILIES.index(family), str(path), index))
        if found:
            break
    if not found:
        return None
    _, path_, index_ = min(found)
    return path_, index_


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "planner" / "fonts"


def cached_subset(path: str, index: int, chars: str) -> bytes:
    """`subset_woff`, kept in the user's cache folder: subsetting a CJK font takes about a second.

    The cache is best effort: a folder that cannot be written only costs the time.
    """
    stat = Path(path).stat()
    key = hashlib.sha256(f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode()).hexdigest()[:32]
    cached = _cache_dir() / f"{key}.woff"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    woff = subset_woff(path, index, chars)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.partial")
        tmp.write_bytes(woff)
        tmp.replace(cached)
    except OSError:
        logger.debug("font cache %s not writable", cached.parent)
    return woff


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
