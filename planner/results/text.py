"""Markdown the planner writes (report.md, compare.md, diagnosis.md) must not carry live HTML.

Names and descriptions come from the user's tables; a hub named `<img src=x onerror=...>` would run
as HTML wherever the Markdown is rendered (GitHub, GitLab, most viewers). CommonMark only starts raw
HTML at `<` followed by a letter, `/`, `!` or `?`, so escaping exactly those keeps `<=` and `< 5`
readable in the plain text while no tag, comment or processing instruction survives.
"""

from __future__ import annotations

import re

_HTML_START = re.compile(r'(<a id="[A-Za-z0-9_-]*"></a>)|<(?=[A-Za-z/!?])')
"""The one tag kept is the report's own empty section anchor, which runs nothing."""


def markdown_safe(text: str) -> str:
    """`text` with every `<` that could open raw HTML written as `&lt;`."""
    return _HTML_START.sub(lambda m: m.group(1) or "&lt;", text)
