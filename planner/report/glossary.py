"""The report's Chinese terms, one place: pages take their wording from here, and a test holds them.

`GLOSSARY` maps an English term to the Chinese term the planner uses; `AVOID` lists wording that
reads wrong to a Chinese policy reader, with the term to use instead. `Lang` picks the language of
a page: `zh`, `en` or `both` (Chinese first, then English).
"""

from __future__ import annotations

from dataclasses import dataclass

GLOSSARY: dict[str, str] = {
    "national computing hub": "国家枢纽节点",
    "data-centre cluster": "数据中心集群",
    "standard rack": "标准机架",
    "racks": "标准机架",
    "contracted renewables": "绿电交易",
    "green-power purchase": "绿电采购",
    "direct green-power line": "绿电直供",
    "green certificates": "绿证",
    "annualised investment": "年化投资",
    "investment": "投资",
    "utilisation (racks in use / installed)": "上架率",
    "green-power share": "绿电占比",
    "unmet demand": "未满足需求",
    "shadow price": "影子价格",
    "binding constraint": "紧约束",
    "brief": "要点",
    "findings": "主要发现",
    "policy targets": "政策目标",
    "map": "布局图",
    "charts": "图表",
    "appendix": "附录",
    "east": "东部",
    "west": "西部",
    "budget": "投资预算",
    "carbon price": "碳价",
    "total cost": "总成本",
    "per rack-year": "元/架·年",
    "grid electricity": "电网购电",
    "time resolution": "时间分辨率",
}
"""English term -> the Chinese term every page uses for it."""

AVOID: dict[str, str] = {
    "投资年金": "年化投资",
    "元/rack-year": "元/架·年",
    "算力枢纽": "国家枢纽节点",
}
"""Wording not to use on a page -> what to write instead. 绿电直供 is kept only for a physical direct line."""

LANGS = ("zh", "en", "both")


@dataclass(frozen=True)
class Lang:
    """A page's language: `zh`, `en` or `both`."""

    code: str = "both"

    def __post_init__(self) -> None:
        if self.code not in LANGS:
            raise ValueError(f"language must be one of {', '.join(LANGS)}, not {self.code!r}")

    @property
    def zh(self) -> bool:
        """Chinese is shown."""
        return self.code in ("zh", "both")

    @property
    def en(self) -> bool:
        """English is shown."""
        return self.code in ("en", "both")

    def __call__(self, en: str, zh: str) -> str:
        """A label: `zh`, `en`, or "中文 English" for both."""
        if self.code == "zh":
            return zh
        if self.code == "en":
            return en
        return f"{zh} {en}" if zh and en else zh or en

    def short(self, en: str, zh: str, width: int = 24) -> str:
        """A one-line chart label: like `__call__`, the English cut at a word to about `width` letters."""
        if len(en) > width:
            cut = en[: width + 1].rsplit(" ", 1)[0].rstrip(" (,-")
            en = cut + "…"
        return self(en, zh)

    def term(self, en: str) -> str:
        """A glossary term in the page's language."""
        return self(en, GLOSSARY[en])

    def sentences(self, en: str, zh: str) -> list[str]:
        """One sentence in each language shown (Chinese first)."""
        return [s for s, show in ((zh, self.zh), (en, self.en)) if show and s]

    @property
    def per_rack_year(self) -> str:
        """The unit of a price per rack-year: 元/架·年 (yuan/rack-year in English)."""
        return "yuan/rack-year" if self.code == "en" else "元/架·年"

    @property
    def html_lang(self) -> str:
        """The `lang` attribute of the page."""
        return "en" if self.code == "en" else "zh-CN"


def wan(x: float, digits: int = 1) -> str:
    """A count in 万 or 亿 with separators: 1,462,367 -> `146.2 万`; 3.2e8 -> `3.2 亿`; 8,400 -> `8,400`."""
    x = float(x)
    if abs(x) >= 1e8:
        return f"{x / 1e8:,.{digits}f} 亿"
    if abs(x) >= 1e4:
        return f"{x / 1e4:,.{digits}f} 万"
    return f"{round(x) + 0:,.0f}"


def thousands(x: float) -> str:
    """A count in English: 1,462,367 -> `1.46 million`; 84,000 -> `84,000`."""
    x = float(x)
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f} million"
    return f"{round(x) + 0:,.0f}"


def count(x: float, lang: Lang, zh_unit: str = "", en_unit: str = "") -> str:
    """A count in the page's language(s): `146.2 万标准机架`, `1.46 million racks`, or both."""
    zh = f"{wan(x)}{zh_unit}"
    en = f"{thousands(x)}{' ' + en_unit if en_unit else ''}"
    if lang.code == "zh":
        return zh
    if lang.code == "en":
        return en
    return f"{zh} ({en})"
