"""The workspace's two languages, with the report's mechanism: a page is Chinese or English.

Templates write every label as `t("English", "中文")`, where `t` is the report's
`planner.report.glossary.Lang` for the page's language, so the web and report.html share one
way of being bilingual (and the report's terms, `t.term(...)`). What the server stores stays in
English (job stages, statuses, messages; the API returns them so); `say` gives a page their words
in its language. The language comes from `?lang=zh|en` (remembered in a cookie), else the cookie,
else the browser's Accept-Language (Chinese first choice -> zh), else English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from planner.model.registry import REGISTRY
from planner.report.glossary import Lang

LANG_COOKIE = "planner_lang"
LANGS = ("zh", "en")


def choose(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The page's language code from the query, the cookie, then Accept-Language; English by default."""
    for code in (query, cookie):
        if code in LANGS:
            return str(code)
    first = (accept or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


WORDS: dict[str, str] = {
    # statuses of jobs and plans
    "queued": "排队中",
    "running": "运行中",
    "done": "已完成",
    "failed": "失败",
    "infeasible": "不可行",
    "cancelled": "已取消",
    "interrupted": "已中断",
    "optimal": "最优",
    "feasible": "可行",
    "time_limit": "达到时限",
    # job stages
    "starting a worker": "正在启动工作进程",
    "reading the case and building the model": "读取案例并构建模型",
    "solving": "求解中",
    "writing the plan and its report": "写出方案与报告",
    "verifying the plan": "核验方案",
    "diagnosing (pre-solve checks, IIS, least relaxations)": "诊断中(求解前检查、不可约冲突集、最小松弛)",
    "writing the table": "写出结果表",
    "sending the scenarios to the Dask cluster": "正在把场景发送到 Dask 集群",
    # job messages
    "plan verified: every constraint holds": "方案已核验:全部约束成立",
    "verify found violations; see the plan page": "核验发现违反约束,见方案页",
    "cancelled before it started": "开始前已取消",
    "cancelled while running": "运行中已取消",
    "the server stopped while this job ran; nothing of it was kept - re-run it": (
        "任务运行时服务器停止,未保留结果,请重新运行"
    ),
    "the server stopped while this job ran - re-run it": "任务运行时服务器停止,请重新运行",
    "the plan to verify no longer exists": "待核验的方案已不存在",
    # a stochastic plan's stages (planner.pipeline.run_stochastic, run_case)
    "reading the futures": "读取各情景(未来)",
    "sending the futures to the Dask cluster": "将各情景发送到 Dask 集群",
    "reading the case": "读取案例",
    "validating": "校验",
    "building the model": "建模",
    "writing the plan": "写出方案",
    "writing the report": "生成报告",
    # the web's own errors
    "wrong user name or password": "用户名或密码错误",
    "Not Found": "未找到",
    "missing or wrong CSRF token; reload the page and try again": "CSRF 令牌缺失或错误;请刷新页面后重试",
    "cross-site request refused": "已拒绝跨站请求",
    "cross-origin request refused": "已拒绝跨源请求",
    "compare takes 2 to 6 different plans": "对比需要 2 到 6 个不同的方案",
    "only plans with a solution can be compared": "只有有解的方案才能对比",
    "the plan folder is missing": "方案文件夹缺失",
    "this plan has no report": "此方案没有报告",
    "The upload was not accepted": "上传未被接受",
    "The request was not accepted": "请求未被接受",
}
"""English words the server stores (statuses, stages, messages) -> their Chinese."""

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^solving scenario (\d+) of (\d+)$"), "求解第 {0} 个场景(共 {1} 个)"),
    (re.compile(r"^solving scenario (\d+)$"), "求解第 {0} 个场景"),
    (re.compile(r"^(\d+) scenarios, (\d+) with a plan; see the table$"), "{0} 个场景,{1} 个有方案;见结果表"),
    (
        re.compile(r"^the worker process ended without a result \(exit code (-?\d+)\)$"),
        "工作进程未给出结果即退出(退出码 {0})",
    ),
    (re.compile(r"^could not start a worker process: (.*)$"), "无法启动工作进程:{0}"),
    (re.compile(r"^too many failed logins; try again in (\d+) s$"), "登录失败次数过多;请 {0} 秒后再试"),
    (re.compile(r"^sweep values: (.*) is not a number$"), "扫描取值:{0} 不是数字"),
    (re.compile(r"^no example '(.*)'$"), "没有示例 '{0}'"),
    (re.compile(r"^no stochastic example '(.*)'$"), "没有随机规划示例 '{0}'"),
    (re.compile(r"^planning over (\d+) futures$"), "在 {0} 个未来情景上规划"),
    (re.compile(r"^time slices \((.*)\)$"), "时段划分({0})"),
    (re.compile(r"^solving \(([\d,]+) rows\)$"), "求解中({0} 行)"),
    (
        re.compile(r"^(\d+) futures: VSS (-?[\d,.]+) 亿元, EVPI (-?[\d,.]+) 亿元; see the plan's robustness section$"),
        "{0} 个未来情景:随机解价值 VSS {1} 亿元,完全信息期望价值 EVPI {2} 亿元;见方案的稳健性一节",
    ),
    (re.compile(r"^no plan (\d+)$"), "没有方案 {0}"),
    (re.compile(r"^from the default case$"), "基于默认案例"),
    (re.compile(r"^from the default case \+ (examples/[\w.-]+)$"), "基于默认案例 + {0}"),
    (re.compile(r"^edited ([\w.-]+)$"), "编辑了 {0}"),
    (re.compile(r"^uploaded \((zip|xlsx)\)$"), "上传({0})"),
    (re.compile(r"^tuned settings$"), "调整了设置"),
    (re.compile(r"^no case (\d+)$"), "没有案例 {0}"),
    (re.compile(r"^no job (\d+)$"), "没有任务 {0}"),
    (
        re.compile(r"^solving the full hourly year \((\d+) hours\); this takes minutes$"),
        "求解全年逐时({0} 小时),需要数分钟",
    ),
)
"""Stored texts with numbers in them -> their Chinese, by pattern."""


def say(lang: Lang, text: str | None) -> str:
    """A stored English status, stage or message in the page's language.

    Other text (the CLI's located messages, names) is returned as it is.
    """
    if not text:
        return ""
    if lang.code == "en":
        return text
    if text in WORDS:
        return lang(text, WORDS[text])
    for pattern, zh in PATTERNS:
        match = pattern.match(text)
        if match:
            return lang(text, zh.format(*match.groups()))
    return text


UNITS: dict[str, str] = {
    "亿元": "亿元",
    "亿元/year": "亿元/年",
    "racks": "架",
    "rack-years": "架·年",
    "share": "比例",
    "share 0-1": "比例 0-1",
    "yuan/tCO2": "元/吨 CO2",
    "Mt CO2": "百万吨 CO2",
    "ms": "毫秒",
    "ms one-way": "毫秒(单程)",
    "MW": "MW",
    "GWh": "GWh",
    "Gbps": "Gbps",
    "m³": "立方米",
    "m3/year": "立方米/年",
    "racks/year": "架/年",
    "yuan": "元",
    "yuan/kWh": "元/千瓦时",
    "yuan/MWh": "元/兆瓦时",
    "yuan/kW": "元/千瓦",
    "yuan/rack": "元/架",
    "yuan/rack/year": "元/架/年",
    "yuan/Gbps": "元/Gbps",
    "yuan/Gbps/year": "元/Gbps/年",
    "kgCO2/kWh": "千克 CO2/千瓦时",
    "MtCO2/year": "百万吨 CO2/年",
    "L/kWh": "升/千瓦时",
    "degree": "度",
    "year": "年",
    "1/year": "1/年",
    "s": "秒",
    "h": "小时",
    "kW": "kW",
    "Gbps/rack": "Gbps/架",
    "PFLOPS/rack": "PFLOPS/架",
    "EFLOPS": "EFLOPS",
}
"""Units of labels and column names -> their Chinese (亿元 is the report's unit in both languages)."""


def unit(lang: Lang, text: str) -> str:
    """A unit in the page's language ("-", no unit, as nothing)."""
    return "" if text in ("", "-") else lang(text, UNITS.get(text, text))


def column_unit(lang: Lang, table: str, column: str) -> str:
    """The unit of a case table's column (the schema's), in the page's language; "" without one."""
    from planner.inputs.schema import TABLES

    model = TABLES.get(table)
    field = model.model_fields.get(column) if model is not None else None
    extra = field.json_schema_extra if field is not None else None
    return unit(lang, str(extra.get("unit", ""))) if isinstance(extra, dict) else ""


KPIS: dict[str, str] = {
    "total discounted cost (亿元)": "总成本(现值,亿元)",
    "investment, undiscounted (亿元)": "投资(未折现,亿元)",
    "new racks (racks)": "新建机架(架)",
    "new racks east (racks)": "东部新建机架(架)",
    "new racks west (racks)": "西部新建机架(架)",
    "west share of new racks": "西部新建机架占比",
    "green-power share (of facility energy)": "绿电占比(占设施用电)",
    "emissions (Mt CO2)": "排放(百万吨 CO2)",
    "unmet demand (rack-years)": "未满足需求(架·年)",
    "average PUE": "平均 PUE",
    "facility energy (GWh)": "设施用电(GWh)",
}
"""`planner compare`'s KPI labels (with units) -> their Chinese."""


DUAL_UNITS: dict[str, str] = {"元/rack-year": "元/架·年", "元/rack": "元/架", "元/t": "元/吨"}
"""Shadow-price units of duals.csv (the registry's) -> as a Chinese page writes them (glossary's AVOID)."""

SCRIPT: dict[str, tuple[str, str]] = {
    "checking": ("checking…", "检查中…"),
    "check_failed": ("check failed ({0})", "检查失败({0})"),
    "validates": ("the case validates with these changes", "修改后的案例通过校验"),
    "problems": ("{0} problem(s)", "{0} 个问题"),
    "edited": ("edited", "已修改"),
    "saving": ("saving…", "保存中…"),
    "saved": ("saved as version {0}", "已保存为版本 {0}"),
    "not_saved": ("not saved ({0})", "未保存({0})"),
    "new": ("new", "新"),
    "new_row": ("{0} new row", "{0} 新行"),
    "solving": ("solving…", "求解中…"),
    "whatif_failed": ("what-if failed ({0})", "假设分析失败({0})"),
    "invalid": ("these settings do not validate", "这些设置未通过校验"),
    "binds": ("What binds: ", "紧约束:"),
    "bind": ("{0} ({1} rows, up to {2} {3})", "{0}({1} 行,最高 {2} {3})"),
    "warm": ("re-solved warm", "热启动重解"),
    "built": ("built and solved", "建模并求解"),
    "timing": ("{0} · {1} in {2} ms on the server ({3} ms here)", "{0} · {1},服务器 {2} 毫秒(本机 {3} 毫秒)"),
    "example_failed": ("could not read the example ({0})", "无法读取示例({0})"),
    "example_nothing": ("this example changes no setting of the panel. ", "此示例不改动面板中的设置。"),
    "example_skipped": (
        "Not applied here (create a case from the example instead): {0}.",
        "此处未应用(请改为基于该示例新建案例):{0}。",
    ),
    "overlay_failed": ("overlay failed ({0})", "导出情景失败({0})"),
    "no_log": ("(no solver output yet)", "(尚无求解器输出)"),
    "seconds": ("s", "秒"),
}
"""The scripts' words, handed to app.js in the page (data-words on <body>)."""


def script_words(lang: Lang) -> dict[str, str]:
    """The scripts' words in the page's language, with the statuses."""
    words = {key: lang(en, zh) for key, (en, zh) in SCRIPT.items()}
    words |= {f"unit:{en}": lang(en, zh) for en, zh in DUAL_UNITS.items()}
    words |= {f"family:{f.name}": lang(f.title, f.title_zh) for f in REGISTRY}
    return words | {f"status:{s}": say(lang, s) for s in ("optimal", "feasible", "infeasible", "time_limit")}


def with_lang(url_path: str, query: Mapping[str, str] | list[tuple[str, str]], code: str) -> str:
    """This page's address in language `code` (its other query parameters kept)."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, v in (query.items() if isinstance(query, Mapping) else query) if k != "lang"]
    return f"{url_path}?{urlencode([*pairs, ('lang', code)])}"
