"""Every page in both languages: a Chinese page shows no English label of the workspace, an English page no
Chinese one; the switch is on every page and remembered; no page shows a server path.

The known labels are the English and Chinese halves of every `t("English", "中文")` in the templates and
of planner/web/i18n.py's tables, so a label added in one language only is caught by the generic rules:
a Chinese page has no run of English words outside names and data (`translate="no"`, code, pre), an
English page no Chinese character except the report's unit 亿元.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from planner.web import i18n
from planner.web.tune import HEADLINE, SETTINGS
from tests.conftest import TinyCase
from tests.web.conftest import make_client, start, upload_tiny, wait_job

TEMPLATES = Path(__file__).resolve().parents[2] / "planner" / "web" / "templates"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
T_CALL = re.compile(r"""t\(\s*(["'])(.+?)\1\s*,\s*(["'])(.*?)\3\s*\)""")
ALLOWED_EN = {"API", "JSON", "CSV", "UTC", "PUE", "CO2", "MW", "GWh", "Gbps", "kW", "EFLOPS", "PFLOPS", "KPI", "IIS"}
ALLOWED_EN |= {"VSS", "EVPI", "Dask"}
"""Words a Chinese page may show in Latin letters: names of formats, units, the API, acronyms (VSS, EVPI) and Dask."""
FILE_OR_WORD = re.compile(r"(?<![\w./])[A-Za-z][\w'-]*(?:[./][\w.-]+)*")
"""A word, or a file name or path (demand.csv, examples/budget_cut.yaml) as one token."""


def known_labels() -> list[tuple[str, str]]:
    """(English, Chinese) of every label the workspace shows."""
    pairs = [(m.group(2), m.group(4)) for f in TEMPLATES.glob("*.html") for m in T_CALL.finditer(f.read_text())]
    pairs += list(i18n.WORDS.items()) + list(i18n.KPIS.items()) + list(i18n.SCRIPT.values())
    pairs += [(s.label, s.label_zh) for s in SETTINGS] + [(en, zh) for _, en, zh, _ in HEADLINE]
    return [(en, zh) for en, zh in pairs if en != zh]


class Visible(HTMLParser):
    """The text a reader sees (and labels in placeholder, title, aria-label), less names and data."""

    SKIP: ClassVar = {"script", "style", "pre", "code", "title"}  # <title> holds the case's name (data)
    VOID: ClassVar = {"input", "br", "meta", "link", "img", "hr", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = bool(self.stack and self.stack[-1]) or tag in self.SKIP or a.get("translate") == "no"
        if not hidden:
            self.parts += [str(a[k]) for k in ("placeholder", "title", "aria-label") if a.get(k)]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.parts.append(data.strip())


def in_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def untranslated(text: str, lang: str, labels: list[tuple[str, str]]) -> list[str]:
    """What on a page of `lang` is in the other language."""
    if lang == "en":
        found = [zh for _, zh in labels if CJK.search(zh) and zh in text]
        return found + [line for line in text.splitlines() if CJK.search(line.replace("亿元", ""))]
    found = [en for en, _ in labels if len(en) >= 4 and re.search(rf"(?<![\w.]){re.escape(en)}(?![\w.])", text)]
    for line in text.splitlines():
        # words, less units, file names (demand.csv, .xlsx) and identifiers (demand_racks)
        words = [w for w in re.findall(FILE_OR_WORD, line) if w not in ALLOWED_EN and "_" not in w and "." not in w]
        if len(words) >= 2 or any(len(w) >= 4 for w in words):
            found.append(line)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A tiny case edited once (two versions), two yearly plans, a diagnosis, and the addresses of every page."""
    data = tmp_path_factory.mktemp("i18n")
    client = start(make_client(data, workers=2))  # the two solves side by side
    try:
        cid = upload_tiny(client, TinyCase(data / "tiny").write(), "双语 bilingual")  # solves in a fraction of a second
        r = client.put(f"/api/cases/{cid}/settings", json={"settings": {"policy.carbon_price_yuan_per_t": 100}})
        assert r.status_code == 200, r.text
        jobs = [client.post(f"/api/cases/{cid}/jobs", json={"resolution": "year"}).json() for _ in range(2)]
        diagnose = client.post(f"/api/cases/{cid}/jobs", json={"kind": "diagnose"}).json()
        done = [wait_job(client, j["id"]) for j in jobs]
        assert all(j["status"] == "done" for j in done), done
        plans = [j["plan_id"] for j in done]
        diagnosis = wait_job(client, diagnose["id"])
        pages = {
            "index": "/",
            "case": f"/cases/{cid}",
            "table": f"/cases/{cid}/tables/demand",
            "diff": f"/cases/{cid}/diff?a=1&b=2",
            "job": f"/jobs/{jobs[0]['id']}",
            "diagnosis job": f"/jobs/{diagnosis['id']}",
            "plan": f"/plans/{plans[0]}",
            "compare": f"/compare?plan={plans[0]}&plan={plans[1]}",
            "login": "/login",
            "not found": "/plans/999999",
        }
        yield client, {"pages": pages, "data": data, "plans": plans, "case": cid}
    finally:
        client.__exit__(None, None, None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_one_language(site: tuple[TestClient, dict[str, Any]], lang: str) -> None:
    client, info = site
    labels = known_labels()
    assert len(labels) > 150  # the templates and tables were read
    problems = {}
    for name, url in info["pages"].items():
        r = client.get(in_lang(url, lang), headers={"Accept": "text/html"})
        assert r.status_code in (200, 404), (name, r.status_code)
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in r.text, name
        assert 'id="lang-zh"' in r.text, f"{name}: no language switch"
        assert 'id="lang-en"' in r.text, f"{name}: no language switch"
        wrong = untranslated(visible(r.text), lang, labels)
        if wrong:
            problems[name] = wrong
    assert not problems, problems


def test_the_checker_finds_a_label_left_in_the_other_language() -> None:
    labels = known_labels()
    assert {"Solve version", "Solve version 2"} <= set(untranslated("方案\nSolve version 2", "zh", labels))
    assert {"求解版本", "求解版本 2"} <= set(untranslated("Plan 3\n求解版本 2", "en", labels))
    assert untranslated("方案 3\nNew label unlisted", "zh", labels) == ["New label unlisted"]
    assert untranslated("Plan 3\n未登记的标签", "en", labels) == ["未登记的标签"]
    assert untranslated("总成本 1,234 亿元 · MW · CO2 · API", "zh", labels) == []
    assert untranslated("编辑了 demand.csv\n基于默认案例 + examples/budget_cut.yaml", "zh", labels) == []
    assert untranslated("Total cost 1,234 亿元", "en", labels) == []
    hidden = '<p>方案 <span translate="no">demand racks</span></p><pre>Optimal solution found</pre>'
    assert untranslated(visible(hidden), "zh", labels) == []


def test_the_language_is_remembered_and_the_switch_keeps_the_address(site: tuple[TestClient, dict[str, Any]]) -> None:
    client, info = site
    compare = info["pages"]["compare"]
    try:
        r = client.get(in_lang(compare, "zh"))
        assert client.cookies.get(i18n.LANG_COOKIE) == "zh"
        assert "方案对比" in r.text
        assert f'href="/compare?plan={info["plans"][0]}&amp;plan={info["plans"][1]}&amp;lang=en"' in r.text
        assert 'lang="zh-CN"' in client.get("/").text  # no ?lang: the cookie
        job = client.get(in_lang(info["pages"]["job"].replace("/jobs/", "/api/jobs/"), "zh")).json()
        assert (job["status"], job["status_text"]) == ("done", "已完成")  # the API keeps English, adds the words
        client.cookies.delete(i18n.LANG_COOKIE)
        chinese_browser = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
        assert 'lang="zh-CN"' in chinese_browser.text
        assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-GB,zh;q=0.5"}).text
    finally:
        client.cookies.delete(i18n.LANG_COOKIE)


def test_no_page_shows_a_server_path(site: tuple[TestClient, dict[str, Any]]) -> None:
    """The data folder (where cases and plans live) appears on no page, compare's included, in either language."""
    client, info = site
    root = str(Path(info["data"]).resolve())
    plans = info["plans"]
    extra = [
        f"/api/compare.html?plan={plans[0]}&plan={plans[1]}",
        f"/api/compare?plan={plans[0]}&plan={plans[1]}",
        f"/api/plans/{plans[0]}/report.html",
        f"/api/jobs/{plans[0]}",
    ]
    for lang in ("zh", "en"):
        for url in [*info["pages"].values(), *extra]:
            text = client.get(in_lang(url, lang)).text
            assert root not in text, (url, lang)
            assert str(info["data"]) not in text, (url, lang)
    assert "plan " + str(plans[0]) in client.get(extra[0]).text  # the plans are named by id instead


def test_the_tune_panel_says_at_what_resolution_what_ifs_solve(site: tuple[TestClient, dict[str, Any]]) -> None:
    """The tune panel's numbers (one slice a year) differ from a 12-day solve's: the page must say so."""
    client, info = site
    en = visible(client.get(in_lang(info["pages"]["case"], "en"), headers={"Accept": "text/html"}).text)
    zh = visible(client.get(in_lang(info["pages"]["case"], "zh"), headers={"Accept": "text/html"}).text)
    assert "What-ifs solve the case's own time slices (one a year unless profiles.csv gives more)" in en
    assert "假设分析按案例自身的时段求解（除非 profiles.csv 另有设定，每年一个时段）" in zh


def test_what_binds_names_families_in_the_page_language(site: tuple[TestClient, dict[str, Any]]) -> None:
    """The tune panel's "what binds" shows a family's title (the script's words), not its code, in either language."""
    import html
    import json

    client, info = site
    words = {}
    for lang in ("zh", "en"):
        text = client.get(in_lang(info["pages"]["case"], lang), headers={"Accept": "text/html"}).text
        found = re.search(r'data-words="([^"]*)"', text)
        assert found, lang
        words[lang] = json.loads(html.unescape(found.group(1)))
    assert words["zh"]["family:green_share"] == "新建机架绿电占比下限"
    assert words["en"]["family:green_share"] == "Green-power floor for new racks"
    assert words["zh"]["family:utilisation_floor"] == "上架率下限(在用/已装机架)"
    cut = client.post(f"/api/cases/{info['case']}/whatif", json={"settings": {"budget.total_yi_yuan": 1}}).json()
    assert cut["ok"], cut
    budget = [b for b in cut["binds"] if b["family"] == "budget_total"]
    assert budget, cut["binds"]  # a budget of 1 亿元 binds the tiny case
    assert (budget[0]["title"], budget[0]["title_zh"]) == ("Investment budget, whole horizon", "总投资预算")
    assert all(re.search(r"[\u4e00-\u9fff]", b["title_zh"]) for b in cut["binds"])


def test_example_descriptions_are_in_the_page_language(site: tuple[TestClient, dict[str, Any]]) -> None:
    """The new-case picker and the tune panel's example list describe each example in the page's language."""
    client, info = site
    zh = client.get(in_lang("/", "zh"), headers={"Accept": "text/html"}).text
    en = client.get(in_lang("/", "en"), headers={"Accept": "text/html"}).text
    assert "默认案例不作改动(其他示例的参照方案)。" in zh
    assert "The default case unchanged (reference plan for the other examples)." not in zh
    assert "The default case unchanged (reference plan for the other examples)." in en
    case = client.get(in_lang(info["pages"]["case"], "zh"), headers={"Accept": "text/html"}).text
    assert 'data-description="碳价' not in case  # (the carbon example's zh text starts otherwise)
    assert 'data-description="电网排放的影子碳价 200 元/吨 CO2(默认 90 元/吨)。"' in case
