"""Write `inputs/default/`: the 8 hubs x 10 clusters case, with a source for every number.

Every value below carries its source or says `estimate:` and why; the script writes the CSV
tables and `sources.csv` (table, column, entity, value, source, band) from the same records, so the
data and its provenance cannot drift. Rows with table `calibration` are the published figures the
base year is checked against, with the band a model value must fall in (docs/calibration.md). Facts come
from `shared/reference/domain-facts.md` (cited here as DF §section); URLs are the ones given there.

Run: python scripts/build_default_case.py  (needs only the Python standard library)
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "inputs" / "default"
YEARS = range(2026, 2031)

# ----------------------------------------------------------------------------- hubs
# (id, zh, en, region, lat, lon) — demand centre coordinates: estimate, the hub's main city
# (Beijing, Shanghai, Guangzhou, Chengdu, Hohhot, Guiyang, Lanzhou, Yinchuan), gazetteer ±0.1°.
HUBS = [
    ("jingjinji", "京津冀", "Beijing-Tianjin-Hebei", "east", 39.90, 116.40),
    ("yangtze_delta", "长三角", "Yangtze River Delta", "east", 31.23, 121.47),
    ("greater_bay", "粤港澳大湾区", "Guangdong-Hong Kong-Macao Greater Bay Area", "east", 23.13, 113.26),
    ("chengyu", "成渝", "Chengdu-Chongqing", "east", 30.66, 104.07),
    ("inner_mongolia", "内蒙古", "Inner Mongolia", "west", 40.84, 111.75),
    ("guizhou", "贵州", "Guizhou", "west", 26.65, 106.63),
    ("gansu", "甘肃", "Gansu", "west", 36.06, 103.83),
    ("ningxia", "宁夏", "Ningxia", "west", 38.49, 106.23),
]
HUB_SOURCE = "DF §2 hub table (grouping: 2021 implementation plan; 成渝 counts as demand side)"
HUB_COORD_SOURCE = "estimate: main city of the hub (gazetteer), used only for latency and the map"

# ----------------------------------------------------------------------------- clusters
# Coordinates: DF §3 (estimate there: approximate centre of host city, ±0.3°).
CLUSTERS = {
    "zhangjiakou": ("jingjinji", "张家口", "Zhangjiakou", 40.8, 114.9),
    "yangtze_demo_zone": (
        "yangtze_delta",
        "长三角生态绿色一体化发展示范区",
        "Yangtze River Delta Eco-Green Integration Demonstration Zone",
        31.1,
        120.9,
    ),
    "wuhu": ("yangtze_delta", "芜湖", "Wuhu", 31.3, 118.4),
    "shaoguan": ("greater_bay", "韶关", "Shaoguan", 24.8, 113.6),
    "tianfu": ("chengyu", "天府", "Tianfu (Chengdu)", 30.6, 104.0),
    "chongqing": ("chengyu", "重庆", "Chongqing", 29.6, 106.5),
    "horinger": ("inner_mongolia", "和林格尔", "Horinger (Hohhot)", 40.4, 111.8),
    "guian": ("guizhou", "贵安", "Gui'an", 26.4, 106.4),
    "qingyang": ("gansu", "庆阳", "Qingyang", 35.7, 107.6),
    "zhongwei": ("ningxia", "中卫", "Zhongwei", 37.5, 105.2),
}
WEST = {"horinger", "guian", "qingyang", "zhongwei"}

# Research notes for every figure below: /work/research/issue11.md (copied into the sources here).
SCIO_2024 = (
    "SCIO press conference 2024-08 (NDA, 杜巍): 10 clusters >1.46 M standard racks, 上架率 62.72 % at end-Mar 2024, "
    "http://english.scio.gov.cn/m/pressroom/2024-08/13/content_117363927_3.htm"
)
NATIONAL_RACKS = (
    "national racks in use 8.1 M end-2023 (Xinhua/China Daily, DF §1.3) -> 10.85 M end-Jun 2025 (经济参考报 via "
    "中评社, https://hk.crntt.com/doc/1071/1/1/8/107111823.html): x1.340 in 1.5 yr = 21.5 %/yr"
)
NATIONAL_GROWTH = (10.85 / 8.1) ** (1 / 1.5) - 1          # 0.215 per year
CARRY_YEARS = 1.75                                       # end-Mar 2024 -> start of 2026
CLUSTER_RACKS_2026 = 1.46e6 * (1 + NATIONAL_GROWTH) ** CARRY_YEARS   # ≈ 2.05 M

# Racks installed at the start of 2026 (standard 2.5 kW racks). Each is anchored on the latest
# published count for the cluster where one was found, carried to 2026; the total is checked
# against the 10-cluster figure carried forward (docs/calibration.md).
RACKS_EXISTING = {
    "zhangjiakou": (
        505_000,
        "estimate: '460,000 server racks' (2025, DF §2, reportify.ai/news/1134413076024659968) carried half a year at "
        "the national 21.5 %/yr",
    ),
    "yangtze_demo_zone": (100_000, "estimate: no rack count found (DF §3); land-scarce demo zone, set at Wuhu's order"),
    "wuhu": (
        100_000,
        "estimate: '>100k racks under construction' (Nov 2025, DF §3), about that much in service by 2026",
    ),
    "shaoguan": (
        40_000,
        "estimate: 26.34 GWh/month in Jan 2026 (DF §3) ≈ 36 MW ≈ 15k racks in use at 40 % utilisation; the 500k plan "
        "for 2025 far from met",
    ),
    "tianfu": (250_000, "estimate: no count found (DF §3); Chengdu is the southwest's largest DC market"),
    "chongqing": (180_000, "estimate: 90k racks in 2020 (DF §2) grown ~12 %/yr to 2026"),
    "horinger": (
        350_000,
        "estimate: 和林格尔新区 150k racks in 2022 (DF §3) plus 集宁 (Ulanqab) and four years of build",
    ),
    "guian": (250_000, "estimate: 19 DCs incl. 17 hyperscale (2024, DF §3) at ~13k racks each"),
    "qingyang": (
        60_000,
        "estimate: 31k standard racks end-2024 (DF §3, clzchina/gscn; China Mobile phase 1 '折合2.5kW机柜约3万架', "
        "lzrb 2024-09-04) plus 2025 builds short of the 100k goal",
    ),
    "zhongwei": (
        180_000,
        "estimate: 30k racks 2020, 720k goal for 2025 (DF §3) far from met; 上架率 76.7 % reported for 中卫 (kdwc.cn, "
        "2023)",
    ),
}
# Observed utilisation (上架率) of the existing stock in the base year: the programme reports ~63 %
# overall (SCIO 2024; NDA mid-2024) and the west as the idle side (Dec-2021 green plan: western DCs
# "from 30 % to >= 50 %"); no per-cluster figures were found except 中卫's local 76.7 %.
UTILISATION_2026 = {
    "zhangjiakou": (
        0.68,
        "estimate: eastern clusters slightly above the ~63 % average (Zhangjiakou DCs take a third of the city's "
        "power, DF §3)",
    ),
    "yangtze_demo_zone": (0.68, "estimate: eastern clusters slightly above the ~63 % average"),
    "wuhu": (0.60, "estimate: much of the stock new (>100k racks under construction 2025), still filling"),
    "shaoguan": (0.40, "estimate: 26.34 GWh/month (Jan 2026, DF §3) ≈ 15k racks in use of ~40k"),
    "tianfu": (0.66, "estimate: eastern-side demand hub, slightly above the ~63 % average"),
    "chongqing": (0.65, "estimate: eastern-side demand hub, slightly above the ~63 % average"),
    "horinger": (0.56, "estimate: the west below the average (Dec-2021 plan: western DCs 30 % -> >=50 % by 2025)"),
    "guian": (0.56, "estimate: the west below the average (Dec-2021 plan: western DCs 30 % -> >=50 % by 2025)"),
    "qingyang": (0.45, "estimate: young stock still filling (31k racks end-2024)"),
    "zhongwei": (
        0.70,
        "estimate: 中卫 上架率 76.7 % reported locally (kdwc.cn 2023), set a little lower for the newer stock",
    ),
}
RACKS_MAX = {
    "zhangjiakou": (900_000, "estimate: land available; power-export limits are modelled separately"),
    "yangtze_demo_zone": (180_000, "estimate: ecological-protection zone, land scarce (DF §3)"),
    "wuhu": (450_000, "estimate: >270 bn yuan committed (Nov 2025, DF §3) ≈ 3-4x the current build-out"),
    "shaoguan": (500_000, "DF §3: 500k standard racks planned for the start-up zone"),
    "tianfu": (450_000, "estimate: Sichuan 40 EFLOPS 2027 target (DF §3)"),
    "chongqing": (350_000, "estimate: same order as Tianfu"),
    "horinger": (1_000_000, "estimate: largest new-energy base (DF §4), 15 projects >50 bn yuan 2025 (DF §3)"),
    "guian": (800_000, "estimate: >4 M servers planned in 14 hyperscale DCs, 11,184 mu (DF §3)"),
    "qingyang": (860_000, "DF §3: +800k 2.5 kW racks by 2030 (10-year plan) on top of the existing stock"),
    "zhongwei": (
        900_000,
        "DF §3: 720k target 2025; 中金 project 820k standard racks; park land 'almost fully allocated'",
    ),
}
# Build pace: about twice each cluster's recent record (racks added per year), so a plan can
# accelerate but not jump by an order of magnitude.
BUILD_MAX = {
    "zhangjiakou": (
        150_000,
        "estimate: 9 DC projects adding 1.5 GW of power demand in H1 2025 (DF §3, 383tm.com) — the fastest cluster",
    ),
    "yangtze_demo_zone": (30_000, "estimate: land-scarce ecological zone; dispatch centres, not mass builds (DF §3)"),
    "wuhu": (60_000, "estimate: >100k racks under construction in 2025 (DF §3) over about three years, x2"),
    "shaoguan": (40_000, "estimate: ~15-40k racks built 2022-25 against a 500k plan; record ~10-20k/yr, x2"),
    "tianfu": (60_000, "estimate: record not found; eastern-side demand hub, between Wuhu and Zhangjiakou"),
    "chongqing": (40_000, "estimate: 90k (2020) -> ~180k (2026) ≈ 15k/yr, x2-3"),
    "horinger": (
        120_000,
        "estimate: 150k (2022) -> ~350k (2026) ≈ 50k/yr, x2; 15 projects >50 bn yuan signed 2025 (DF §3)",
    ),
    "guian": (100_000, "estimate: ~250k by 2026 in ~5 years ≈ 50k/yr, x2"),
    "qingyang": (
        60_000,
        "estimate: 0 -> 31k in 2022-24 (DF §3) and ~30k in 2025: record ~30k/yr, x2 (the old 150k cap was ~5x the "
        "record)",
    ),
    "zhongwei": (
        100_000,
        "estimate: ~30k (2020) -> ~180k (2026) ≈ 25k/yr but 中金/中交 projects under way (DF §3); x4",
    ),
}
POWER_MAX_MW = {
    "zhangjiakou": (
        3000,
        "estimate: UHV export lines full, ~20 GW undeveloped (财新 2025-09, DF §7); local DC grid connection assumed 3 "
        "GW",
    ),
}
CAPEX = {
    "zhangjiakou": (
        65_000,
        "estimate: 50-100k yuan per standard rack facility-only band (DF §7, bounded by the two 中卫 projects) + "
        "moderate land premium",
    ),
    "yangtze_demo_zone": (95_000, "estimate: top of the facility band: first-tier land 8-12 M yuan/mu (DF §7)"),
    "wuhu": (
        100_000,
        "estimate: 中联芜湖 7.2 bn yuan for the whole 270-mu campus, phase 1 buys 8,500 x 18 kW racks = 153 MW = "
        "61,200 standard racks -> <= 117.6k yuan per standard rack (an upper bound: 7.2 bn covers phase 2 too); "
        "zdatacn.com id=105, ssjkq.wuhu.gov.cn 2024-10-12",
    ),
    "shaoguan": (75_000, "estimate: Guangdong land premium within the 50-100k band (DF §7)"),
    "tianfu": (70_000, "estimate: middle of the 50-100k band (DF §7)"),
    "chongqing": (70_000, "estimate: middle of the 50-100k band (DF §7)"),
    "horinger": (52_000, "estimate: 中金 中卫 ≈49k yuan/rack (DF §7) + cold-climate free cooling"),
    "guian": (55_000, "estimate: western band (DF §7); karst terrain slightly dearer"),
    "qingyang": (50_000, "estimate: 中金 中卫 ≈49k yuan per 2.5 kW rack (DF §7); land ~360k yuan/mu"),
    "zhongwei": (
        49_000,
        "DF §7: 中金数据 中卫 40 bn yuan / 820k standard racks ≈ 48.8k yuan/rack (facility; IT not included)",
    ),
}
FIXED_OPEX = {
    c: (
        3_000 if c in WEST else 4_000,
        "DF §7: 15 staff ≈2.25 M + maintenance 0.5-1 M yuan/yr per ~1,000 racks ≈ 3k yuan/rack-yr [secondary]; east "
        "+1k estimate for wages",
    )
    for c in CLUSTERS
}
PUE = {
    c: (
        1.2 if c in WEST else 1.25,
        "DF §1.4: approval letters, PUE ≤1.25 east / ≤1.2 west (庆阳 letter; others by pattern); new builds assumed at "
        "the cap",
    )
    for c in CLUSTERS
}
PUE_EXISTING = {
    c: (
        1.42,
        "national average PUE 1.42 at end-Jun 2025 (经济参考报 via 中评社, "
        "https://hk.crntt.com/doc/1071/1/1/8/107111823.html); no per-cluster figure found (hub stock is newer, so this "
        "leans high)",
    )
    for c in CLUSTERS
}
PRICE = {
    "zhangjiakou": (0.50, "estimate: DF §4 range 0.45-0.55 for the Hebei-north grid"),
    "yangtze_demo_zone": (0.70, "DF §4: Jiangsu large-industry flat 0.715 (unofficial table, unverified)"),
    "wuhu": (0.62, "estimate: national industrial average ≈0.63 yuan/kWh (DF §4, china-briefing)"),
    "shaoguan": (0.55, "estimate: Pearl River Delta ≈0.68 less the 0.134 Shaoguan discount (DF §4, udn.com 2026)"),
    "tianfu": (0.42, "estimate: hydro-rich Sichuan; 雅安 DC ≤0.34 (2019, DF §4) plus transmission"),
    "chongqing": (0.50, "estimate: between the western DC band and the national average"),
    "horinger": (0.38, "DF §4: Hohhot 'standard' DC price 0.38 yuan/kWh (2015; no newer figure found, issue11.md §2)"),
    "guian": (0.35, "DF §4: Guizhou DC tariff 0.35 yuan/kWh (2020)"),
    "qingyang": (0.34, "estimate: DF §4 western DC band 0.30-0.38"),
    "zhongwei": (0.36, "DF §4: Zhongwei DC power 0.36 yuan/kWh (2020)"),
}
MEE_2022 = (
    "MEE/NBS 2022 provincial electricity CO2 factor (notice 2024-12-20; press: "
    "daydaynews.cc/zh-hant/finance/3899452.html; full provincial table as transcribed in a public code file matching "
    "every figure the press gives)"
)
CO2 = {
    "zhangjiakou": (0.7252, f"河北 0.7252 kg/kWh: {MEE_2022}"),
    "yangtze_demo_zone": (
        0.5660,
        "mean of 上海 0.5849, 江苏 0.5978, 浙江 0.5153 (the zone spans the three; estimate: equal weights): "
        f"{MEE_2022}",
    ),
    "wuhu": (0.6782, f"安徽 0.6782 kg/kWh: {MEE_2022}"),
    "shaoguan": (0.4403, f"广东 0.4403 kg/kWh: {MEE_2022}"),
    "tianfu": (0.1404, f"四川 0.1404 kg/kWh: {MEE_2022}"),
    "chongqing": (
        0.5227,
        f"重庆 0.5227 kg/kWh (coal-heavy; the old 西南 proxy 0.2268 was Sichuan-hydro dominated): {MEE_2022}",
    ),
    "horinger": (0.6849, f"内蒙古 0.6849 kg/kWh: {MEE_2022}"),
    "guian": (0.4989, f"贵州 0.4989 kg/kWh (replaces the 南方 regional proxy): {MEE_2022}"),
    "qingyang": (0.4772, f"甘肃 0.4772 kg/kWh (replaces the 西北 regional proxy): {MEE_2022}"),
    "zhongwei": (0.6423, f"宁夏 0.6423 kg/kWh (replaces the 西北 regional proxy): {MEE_2022}"),
}
# Renewable capacity data centres can contract (MW): wind, solar, hydro.
RENEWABLE_MW = {
    "zhangjiakou": (
        (800, 500, 0),
        "estimate: calibrated to the published green share of Zhangjiakou's DC power, about one third (H1 2025, "
        "383tm.com; Q1 2025 30.9 %, fqwz.net); export lines full (财新 2025-09)",
    ),
    "yangtze_demo_zone": ((0, 150, 0), "estimate: rooftop/distributed solar only; no large local base"),
    "wuhu": ((100, 300, 0), "estimate: Anhui distributed solar and small wind"),
    "shaoguan": ((300, 400, 300), "estimate: Shaoguan green capacity >60 % of local (DF §4), some hydro"),
    "tianfu": ((0, 200, 2000), "estimate: Sichuan hydro (DF §4: SW holds 63 % of national hydro, Guo et al. 2026)"),
    "chongqing": ((100, 200, 800), "estimate: Chongqing hydro share smaller than Sichuan's"),
    "horinger": (
        (4000, 2000, 0),
        "estimate: Inner Mongolia new energy >110 GW (DF §4); cluster green power 84.57 % (2025)",
    ),
    "guian": ((300, 600, 1500), "estimate: Guizhou hydro-dominated (DF §4)"),
    "qingyang": ((600, 400, 0), "DF §3: 2 GW green-power aggregation project for the park, 1 GW phase 1"),
    "zhongwei": ((1500, 2000, 0), "estimate: Ningxia new energy 41.32 GW = 57.83 % (end-2024, DF §4)"),
}
CF = {
    "zhangjiakou": ((0.26, 0.16, 0.0), "estimate: DF §4 wind CF 0.23-0.28 Hebei-north; PV 0.15-0.18"),
    "yangtze_demo_zone": ((0.20, 0.13, 0.0), "estimate: coastal east China solar ~1,100 h/yr"),
    "wuhu": ((0.20, 0.13, 0.0), "estimate: east China solar ~1,100 h/yr"),
    "shaoguan": ((0.20, 0.13, 0.40), "estimate: south China solar ~1,150 h/yr; hydro ~3,500 h"),
    "tianfu": ((0.20, 0.13, 0.45), "estimate: DF §4 Sichuan hydro-dominated; hydro ~4,000 h"),
    "chongqing": ((0.20, 0.11, 0.40), "estimate: cloudy basin, low PV; hydro ~3,500 h"),
    "horinger": ((0.28, 0.17, 0.0), "estimate: DF §4 wind 0.23-0.28 Inner Mongolia; PV 0.15-0.18"),
    "guian": ((0.20, 0.12, 0.40), "estimate: Guizhou PV low; hydro ~3,500 h"),
    "qingyang": ((0.24, 0.17, 0.0), "estimate: DF §4 wind 0.23-0.28 Gansu; PV 0.15-0.18"),
    "zhongwei": ((0.25, 0.18, 0.0), "estimate: DF §4 wind 0.23-0.28 Ningxia; PV 0.15-0.18"),
}
# Green power bought under contract: energy near the province's coal benchmark (±20 %) plus an
# uncapped environmental premium, plus the same network charges as grid power (安徽省绿色电力交易
# 试点规则, 2022, hsujglq.cn). Where the benchmark is low and renewables abundant (the northwest,
# Hebei-north) contracted green power undercuts the delivered grid price; elsewhere it costs a premium.
COAL_BENCHMARK = {  # yuan/kWh, 发改价格〔2019〕1658号 as recalled: NOT found in the search corpus, unverified
    "zhangjiakou": 0.372, "yangtze_demo_zone": 0.391, "wuhu": 0.3844, "shaoguan": 0.453, "tianfu": 0.4012,
    "chongqing": 0.3964, "horinger": 0.2829, "guian": 0.3515, "qingyang": 0.3078, "zhongwei": 0.2595,
}
GREEN_PREMIUM = 0.03
CHEAP_GREEN = {"zhangjiakou", "horinger", "qingyang", "zhongwei"}
PPA_DISCOUNT = 0.05


def ppa(c: str) -> tuple[float, str]:
    """Delivered price of contracted green power at a cluster, with its reasoning."""
    bench = COAL_BENCHMARK[c]
    if c in CHEAP_GREEN:
        return round(PRICE[c][0] + GREEN_PREMIUM - PPA_DISCOUNT, 3), (
            f"estimate: grid price + {GREEN_PREMIUM} green premium - {PPA_DISCOUNT} because new-energy energy trades "
            "below the low coal benchmark "
            f"(~{bench} yuan/kWh, 发改价格〔2019〕1658号 as recalled, unverified; issue11.md §2)"
        )
    return round(PRICE[c][0] + GREEN_PREMIUM, 3), (
        f"estimate: grid price + {GREEN_PREMIUM} green environmental premium (energy part at the coal benchmark "
        f"~{bench} yuan/kWh, "
        "as recalled, unverified; premium not published: issue11.md §2)"
    )


CERT_PRICE = (30.0, "estimate: 绿证 prices were a few yuan/MWh in 2024; 30 yuan/MWh assumes the tightening of 2025-26")

# ----------------------------------------------------------------------------- workloads
# Latency limits are one-way, like the programme's tiers (cluster -> surrounding cities 5 ms,
# inter-hub 20 ms): CAICT's 17.1 ms optical maximum between cluster cities ~2,000 km apart can
# only be one-way (issue11.md §6).
WORKLOADS = [
    (
        "realtime",
        "实时业务",
        "Real-time services (industrial internet, finance, video, AI inference)",
        5.0,
        0.02,
        "one-way 5 ms: the 'cluster to surrounding cities <=5 ms' tier (reportify.cn/news/1157211723678224384; CAICT "
        "Q1-2024 5 ms circles); traffic 20 Mbps/rack estimate",
    ),
    (
        "near_realtime",
        "准实时业务",
        "Near-real-time (interactive analytics, content delivery)",
        20.0,
        0.01,
        "one-way 20 ms: the inter-hub tier (SCIO 2024; CAICT Q1-2024: optical avg 9.7, max 17.1 ms between cluster "
        "cities, one-way by distance); traffic 10 Mbps/rack estimate",
    ),
    (
        "batch",
        "非实时业务",
        "Latency-tolerant (AI training, rendering, offline analytics, storage and backup)",
        None,
        0.002,
        "DF §6: 后台加工/离线分析/存储备份, 东数西训/东数西渲 can go anywhere; traffic 2 Mbps/rack estimate",
    ),
]

# ----------------------------------------------------------------------------- demand
# Base year (2026) racks in use = the tenants observed at each cluster (racks x utilisation above);
# each cluster's tenants come from hubs and classes as below, so the base year can be served where
# it is today. Later years grow each (hub, class) at its rate.
EXPORT_SHARE_WEST = (
    0.60,
    "estimate: western clusters mainly serve the eastern hubs (approval letters: 庆阳 'mainly serve 京津冀, 长三角, "
    "粤港澳'; DF §2)",
)
EAST_ORIGIN = {"jingjinji": 0.30, "yangtze_delta": 0.34, "greater_bay": 0.22, "chengyu": 0.14}
EAST_ORIGIN_SOURCE = (
    "end-2023 racks in use: 京津冀 21.5 %, 长三角 24.5 % of the national total (CAICT via 中商, n6668.com 2025-09-17) "
    "-> 长三角 above 京津冀; 粤港澳/成渝 split of the rest is an estimate"
)
CLASS_MIX_OWN = {"realtime": 0.35, "near_realtime": 0.30, "batch": 0.35}
CLASS_MIX_EXPORT = {"realtime": 0.0, "near_realtime": 0.25, "batch": 0.75}
CLASS_MIX_SOURCE = (
    "estimate: own-hub tenants mix real-time/near/batch 35/30/35; load exported west mostly batch "
    "(后台加工/离线分析/存储备份, DF §6), a quarter near-real-time"
)
GROWTH = {"realtime": 0.12, "near_realtime": 0.18, "batch": 0.30}
GROWTH_SOURCE = (
    f"estimate: national racks in use grew {NATIONAL_GROWTH:.1%}/yr 2023-25 ({NATIONAL_RACKS}); AI training/batch "
    "fastest, real-time slowest, averaging about that"
)

# ----------------------------------------------------------------------------- links
ROUTE_FACTOR = 1.5
FIBRE_KM_PER_MS = 200.0
EQUIPMENT_ONE_WAY_MS = 0.25
LATENCY_SOURCE = (
    "estimate: one-way = great-circle km x 1.5 route factor / 200 km/ms + 0.25 ms equipment (method of DF §5 matrix); "
    "e.g. Beijing-和林格尔 ≈ 3.2 ms, consistent with '乌兰察布-北京 <=5 ms'"
)
LOCAL_BW, REMOTE_BW = 8000.0, 1500.0
BW_SOURCE = (
    "estimate: no public per-route DC bandwidth; own-hub metro 8 Tbps, inter-hub 1.5 Tbps available to DC traffic"
)
EXPANSION_MAX = 20000.0
EXPANSION_CAPEX = 150_000.0
EXPANSION_SOURCE = (
    "estimate: 100G long-haul wavelengths ≈ 10-20k yuan per Gbps-km-decade; 150k yuan/Gbps per route; up to 20 Tbps "
    "added"
)
TRANSIT_LOCAL, TRANSIT_REMOTE = 50_000.0, 300_000.0
TRANSIT_SOURCE = (
    "estimate: leased long-haul 10G circuits cost a few M yuan a year (≈300k yuan/Gbps-yr), metro ~50k; not found "
    "published; the programme aims to cut inter-hub fees 'substantially' (1779号)"
)

# ----------------------------------------------------------------------------- calibration targets
# Published figures the base year is checked against (docs/calibration.md, tests/test_calibration.py).
# (metric, scope, published value, low, high, source)
CALIBRATION = [
    (
        "racks_installed",
        "10 clusters",
        round(CLUSTER_RACKS_2026, -3),
        1.75e6,
        2.35e6,
        f"1.46 M at end-Mar 2024 ({SCIO_2024}) x (1 + 21.5 %)^1.75 to the start of 2026 ({NATIONAL_RACKS}); band ±15 % "
        "for the growth carried",
    ),
    (
        "utilisation",
        "10 clusters",
        0.63,
        0.60,
        0.66,
        "上架率 61.9 % end-2023 (NDA, DF §1.2), 62.72 % end-Mar 2024 (SCIO), ~63 % mid-2024 (NDA 刘烈宏, "
        "caifuhao.eastmoney.com 2024-08-30); band ±3 points",
    ),
    (
        "utilisation_west_minus_east",
        "western vs eastern clusters",
        -0.10,
        -0.30,
        -0.01,
        "the west is the idle side: western DC utilisation '30 % -> >=50 % by 2025' (Dec-2021 green plan, DF §1.4) "
        "against ~63 % overall; band: below the east by 1-30 points",
    ),
    (
        "pue_existing_stock",
        "10 clusters",
        1.42,
        1.30,
        1.50,
        "national average PUE 1.42 at end-Jun 2025 (经济参考报 via 中评社 hk.crntt.com 107111823); band 1.30-1.50 (hub "
        "stock newer than average; national cap <1.5 by 2025, Jul-2024 action plan)",
    ),
    (
        "electricity_mwh_per_rack_in_use",
        "10 clusters",
        20.5,
        17.4,
        23.6,
        "national DC electricity ≈150 TWh in 2023 (MDPI Sustainability 17(14) 6254, DF §1.3) / ~7.3 M racks in use on "
        "average in 2023 (6.5 M end-2022, 8.1 M end-2023, DF §1.3); band ±15 %",
    ),
    (
        "electricity_twh",
        "张家口",
        8.14,
        6.1,
        10.2,
        "大数据产业用电 4.071 TWh in H1 2025 x 2 (383tm.com 2025-08-07); band ±25 % (the figure grew 47.6 % a year)",
    ),
    (
        "green_share_existing",
        "张家口",
        0.33,
        0.25,
        0.42,
        "green about one third of Zhangjiakou's DC power in H1 2025 (383tm.com); Q1 2025 0.574 of 1.859 TWh = 30.9 % "
        "(fqwz.net); band 25-42 %",
    ),
]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


GENERAL_PFLOPS_PER_RACK = 0.03
GENERAL_PFLOPS_SOURCE = (
    "estimate, because no per-class figure is published: national total compute 246 EFLOPS over >8.3 M "
    "standard racks in use at end-Jun 2024 (CAICT via press, tgb.cn/a/2f4PaU2dU34) ≈ 0.03 PFLOPS per "
    "standard rack; the default classes are latency tiers counted as general-purpose (通用) compute; "
    "held flat over 2026-2030"
)
GENERAL_IT_CAPEX_YUAN_PER_RACK = 250000
GENERAL_IT_LIFETIME_YEARS = 5
GENERAL_IT_SOURCE = (
    "estimate (counted only with it_capex: true), because no Chinese price per rack is published: about four "
    "two-socket servers fill a 2.5 kW rack drawing 70 % of rated power, at ~60,000 yuan each (a high-volume 1 TB CPU "
    "server costs ~$10,400, SemiAnalysis 'AI Server Cost Analysis' May 2023, aisemicon.in/ai-server-cost-analysis-"
    "memory-is-the-biggest-loser; Chinese listings 2-15万元 a server, zhitaoyun.cn/2274543.html [secondary]) plus "
    "in-rack network: ~250,000 yuan a rack, consistent with ~0.03 PFLOPS a rack (compute.csv). Life 5 years: between "
    "the 3-year minimum tax life of electronic equipment (企业所得税法实施条例 第六十条) and the 5-6 years large cloud "
    "operators depreciate servers over"
)
SCENARIO_SOURCES = (
    ("compute_precision", "FP16",
     "China's intelligent-compute statistics are stated at FP16: 788 EFLOPS (FP16) at end-Jun 2025 "
     "(人民日报海外版 2025-08-25, cnenergynews.cn/article/4OKokmP6Eh4)"),
    ("policy.national_hubs_share_min_new_racks", 0.6,
     "发改数据〔2023〕1779号 深入实施“东数西算”工程加快构建全国一体化算力网的实施意见 "
     "(Dec 2023): 国家枢纽节点地区各类新增算力占全国新增算力的60%以上 "
     "(Xinhua via zyrm.hnjjbs.com/jingji/202312/68007.html); "
     "binds only when a case has sites with in_hubs false"),
    ("policy.intelligent_share_min", "",
     "off by default (the target is for 2025, before the horizon): 算力基础设施高质量发展行动计划 "
     "(MIIT and 5 others, Oct 2023): 到2025年 算力规模超过300 EFLOPS, 智能算力占比达到35% "
     "(Xinhua via m.sqrb.com.cn/content/2023-10/10/content_112971.html)"),
)
GRID_COLUMNS = ["cooling_type", "wue_l_per_kwh", "grid_import_mw", "td_fee_yuan_per_kwh", "green_direct_mw",
                "green_direct_price_yuan_per_kwh", "green_direct_co2_kg_per_kwh", "retrofit_capex_yuan_per_rack",
                "retire_cost_yuan_per_rack"]
"""Columns of issue 12 items 2, 4, 5 left blank in the default case (none published: off, or scenario defaults)."""


GRID_SOURCES: list[list[object]] = [
    [
        'scenario',
        'water.wue_l_per_kwh',
        'evaporative',
        1.8,
        'average WUE quoted for data centres 1.8-1.9 L/kWh '
        '(https://unanswered.io/guide/data-center-water-usage-effectiveness-wue '
        '[secondary]); open evaporative towers 1.2-2.0 '
        '(https://www.yobitel.com/knowledge-base/wue-water-usage-effectiveness '
        '[secondary]); no Chinese average found (domain-facts §7)',
        '1.2..2.0',
    ],
    [
        'scenario',
        'water.wue_l_per_kwh',
        'adiabatic',
        0.4,
        'adiabatic-assist cooling 0.10-0.40 L/kWh, upper end '
        '(https://www.yobitel.com/knowledge-base/wue-water-usage-effectiveness '
        '[secondary])',
        '0.1..0.4',
    ],
    [
        'scenario',
        'water.wue_l_per_kwh',
        'air',
        0.05,
        'fully air-cooled with dry coolers 0.0-0.05 L/kWh (same source)',
        '0..0.05',
    ],
    [
        'scenario',
        'water.wue_l_per_kwh',
        'liquid',
        0.1,
        'liquid-cooled with dry coolers 0.0-0.10 L/kWh (same source)',
        '0..0.1',
    ],
    [
        'scenario',
        'water.cooling_type',
        '10 clusters',
        'evaporative',
        'estimate, because no per-cluster cooling survey was found: chilled water with '
        'cooling towers is the common large-DC design; clusters may override cooling_type'
        ' or wue_l_per_kwh',
        '',
    ],
    [
        'clusters',
        'td_fee_yuan_per_kwh',
        '10 clusters',
        '',
        'blank (included in power_price_yuan_per_kwh), because the provincial T&D tables '
        'of the third regulatory period (NDRC, 2023) were not retrieved; '
        'examples/grid_limits.yaml uses estimates',
        '',
    ],
    [
        'clusters',
        'green_direct_mw',
        '10 clusters',
        '',
        "blank (off): the 2025 NDRC/NEA notice on 绿电直连 sets rules, not capacities; 庆阳's 2"
        ' GW green-power aggregation project feeding the park directly (domain-facts §3) '
        'is used in examples/grid_limits.yaml',
        '',
    ],
    [
        'cluster_years',
        'power_max_mw/grid_import_mw/water_max_m3',
        '10 clusters',
        '',
        'blank (off): no per-cluster, per-year grid connection, provincial import or '
        "water caps published; 张家口's 3 GW connection stays in clusters.csv; "
        'examples/grid_limits.yaml and water_cap.yaml give estimates',
        '',
    ],
    [
        'clusters',
        'retrofit_capex_yuan_per_rack/retire_cost_yuan_per_rack',
        '10 clusters',
        '',
        "blank (off): no published figure; the default stock's PUE 1.42 (national "
        "average) is below the action plan's 1.5 anyway; examples/retire_inefficient.yaml"
        ' uses estimates',
        '',
    ],
]
"""sources.csv rows for the WUE defaults and the blank columns of issue 12 items 2, 4, 5."""


def write_table(name: str, header: list[str], rows: list[list[object]], folder: Path = OUT) -> None:
    """Write one CSV table."""
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def in_use_2026() -> dict[str, float]:
    """Racks in use at each cluster at the start of the base year: racks x observed utilisation."""
    return {c: round(RACKS_EXISTING[c][0] * UTILISATION_2026[c][0]) for c in CLUSTERS}


def base_demand() -> dict[tuple[str, str], float]:
    """Base-year racks in use by (hub, class): each cluster's tenants by where they come from.

    Eastern clusters serve their own hub. A western cluster serves its own hub with the own-hub
    class mix, and exports EXPORT_SHARE_WEST of its load to the eastern hubs (split by EAST_ORIGIN)
    with the export class mix (no real-time load travels).
    """
    out: dict[tuple[str, str], float] = {}
    export = EXPORT_SHARE_WEST[0]
    for c, racks in in_use_2026().items():
        hub = CLUSTERS[c][0]
        own = racks * (1 - export) if c in WEST else racks
        for w, share in CLASS_MIX_OWN.items():
            out[hub, w] = out.get((hub, w), 0.0) + own * share
        if c in WEST:
            for east, origin in EAST_ORIGIN.items():
                for w, share in CLASS_MIX_EXPORT.items():
                    out[east, w] = out.get((east, w), 0.0) + racks * export * origin * share
    return out


def main(folder: Path = OUT) -> None:
    """Write every table and the sources table into `folder` (default inputs/default)."""
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        write_table(name, header, rows, folder)

    sources: list[list[object]] = []

    def source(table: str, column: str, entity: str, value: object, text: str, band: str = "") -> None:
        sources.append([table, column, entity, value, text, band])

    write("hubs.csv", ["hub_id", "name_zh", "name_en", "region", "lat_deg", "lon_deg", "new_racks_share_min"],
          [[*h, ""] for h in HUBS])
    for h in HUBS:
        source("hubs", "region", h[0], h[3], HUB_SOURCE)
        source("hubs", "lat_deg/lon_deg", h[0], f"{h[4]}/{h[5]}", HUB_COORD_SOURCE)

    cols = [
        "cluster_id",
        "hub_id",
        "name_zh",
        "name_en",
        "lat_deg",
        "lon_deg",
        "racks_existing",
        "racks_in_use_existing",
        "racks_max",
        "build_max_racks_per_year",
        "power_max_mw",
        "capex_yuan_per_rack",
        "fixed_opex_yuan_per_rack_year",
        "pue",
        "pue_max",
        "pue_existing",
        "power_price_yuan_per_kwh",
        "grid_co2_kg_per_kwh",
        "wind_mw",
        "solar_mw",
        "hydro_mw",
        "wind_cf",
        "solar_cf",
        "hydro_cf",
        "ppa_price_yuan_per_kwh",
        "certificate_price_yuan_per_mwh",
        "utilisation_min",
        "utilisation_min_from_year",
        "utilisation_min_scope",
        "green_share_min_new",
        *GRID_COLUMNS,
    ]
    rows = []
    in_use = in_use_2026()
    for c, (hub, zh, en, lat, lon) in CLUSTERS.items():
        (wind, solar, hydro), re_src = RENEWABLE_MW[c]
        (wcf, scf, hcf), cf_src = CF[c]
        power = POWER_MAX_MW.get(c, ("", ""))
        ppa_price, ppa_src = ppa(c)
        rows.append(
            [
                c,
                hub,
                zh,
                en,
                lat,
                lon,
                RACKS_EXISTING[c][0],
                in_use[c],
                RACKS_MAX[c][0],
                BUILD_MAX[c][0],
                power[0],
                CAPEX[c][0],
                FIXED_OPEX[c][0],
                PUE[c][0],
                PUE[c][0],
                PUE_EXISTING[c][0],
                PRICE[c][0],
                CO2[c][0],
                wind,
                solar,
                hydro,
                wcf,
                scf,
                hcf,
                ppa_price,
                CERT_PRICE[0],
                "",
                "",
                "",
                "",
                *[""] * len(GRID_COLUMNS),
            ]
        )
        for column, table in [
            ("racks_existing", RACKS_EXISTING),
            ("racks_max", RACKS_MAX),
            ("build_max_racks_per_year", BUILD_MAX),
            ("capex_yuan_per_rack", CAPEX),
            ("fixed_opex_yuan_per_rack_year", FIXED_OPEX),
            ("pue", PUE),
            ("pue_existing", PUE_EXISTING),
            ("power_price_yuan_per_kwh", PRICE),
            ("grid_co2_kg_per_kwh", CO2),
            ("power_max_mw", POWER_MAX_MW),
        ]:
            if c in table:
                source("clusters", column, c, table[c][0], table[c][1])
        source(
            "clusters",
            "racks_in_use_existing",
            c,
            in_use[c],
            f"racks_existing x base-year utilisation {UTILISATION_2026[c][0]:.0%} ({UTILISATION_2026[c][1]})",
        )
        source("clusters", "pue_max", c, PUE[c][0], PUE[c][1])
        source(
            "clusters",
            "lat_deg/lon_deg",
            c,
            f"{lat}/{lon}",
            "DF §3 (estimate there: approximate centre of host city, ±0.3°)",
        )
        source("clusters", "wind_mw/solar_mw/hydro_mw", c, f"{wind}/{solar}/{hydro}", re_src)
        source("clusters", "wind_cf/solar_cf/hydro_cf", c, f"{wcf}/{scf}/{hcf}", cf_src)
        source("clusters", "ppa_price_yuan_per_kwh", c, ppa_price, ppa_src)
        source("clusters", "certificate_price_yuan_per_mwh", c, CERT_PRICE[0], CERT_PRICE[1])
    write("clusters.csv", cols, rows)
    for row in GRID_SOURCES:
        source(*row)
    # per-year limits (grid connection, provincial import, water): blank, none published; overlays fill them
    write(
        "cluster_years.csv",
        ["cluster_id", "year", "power_max_mw", "grid_import_mw", "water_max_m3"],
        [[c, y, "", "", ""] for c in CLUSTERS for y in range(2026, 2031)],
    )

    write(
        "workloads.csv",
        [
            "workload_id",
            "name_zh",
            "name_en",
            "latency_max_one_way_ms",
            "gbps_per_rack",
            "it_capex_yuan_per_rack",
            "it_lifetime_years",
        ],
        [
            [*w[:3], "" if w[3] is None else w[3], w[4], GENERAL_IT_CAPEX_YUAN_PER_RACK, GENERAL_IT_LIFETIME_YEARS]
            for w in WORKLOADS
        ],
    )
    for w in WORKLOADS:
        source("workloads", "latency_max_one_way_ms/gbps_per_rack", w[0], f"{w[3]}/{w[4]}", w[5])
    source(
        "workloads",
        "it_capex_yuan_per_rack/it_lifetime_years",
        "realtime/near_realtime/batch",
        f"{GENERAL_IT_CAPEX_YUAN_PER_RACK}/{GENERAL_IT_LIFETIME_YEARS}",
        GENERAL_IT_SOURCE,
    )

    base = base_demand()
    demand_rows = []
    for hub, *_ in HUBS:
        for workload in GROWTH:
            for year in YEARS:
                demand_rows.append(
                    [
                        hub,
                        workload,
                        year,
                        round(base.get((hub, workload), 0.0) * (1 + GROWTH[workload]) ** (year - YEARS.start)),
                    ]
                )
    write("demand.csv", ["hub_id", "workload_id", "year", "demand_racks"], demand_rows)
    total = sum(in_use.values())
    source(
        "demand",
        "demand_racks",
        "2026 total",
        total,
        f"sum of racks_in_use_existing: {total / sum(r for r, _ in RACKS_EXISTING.values()):.1%} of the existing racks "
        "(published ~63 %, see calibration rows)",
    )
    source("demand", "origin of western clusters' load", "west", EXPORT_SHARE_WEST[0], EXPORT_SHARE_WEST[1])
    source("demand", "eastern hubs' shares of exported load", "east", str(EAST_ORIGIN), EAST_ORIGIN_SOURCE)
    source("demand", "class mix", "all", f"own {CLASS_MIX_OWN}; exported {CLASS_MIX_EXPORT}", CLASS_MIX_SOURCE)
    source("demand", "growth per year", "all", str(GROWTH), GROWTH_SOURCE)

    link_rows = []
    coords = {h[0]: (h[4], h[5]) for h in HUBS}
    for hub, (hlat, hlon) in coords.items():
        for c, (chub, _zh, _en, lat, lon) in CLUSTERS.items():
            km = haversine_km(hlat, hlon, lat, lon)
            one_way = round(km * ROUTE_FACTOR / FIBRE_KM_PER_MS + EQUIPMENT_ONE_WAY_MS, 2)
            local = chub == hub
            link_rows.append(
                [
                    hub,
                    c,
                    one_way,
                    LOCAL_BW if local else REMOTE_BW,
                    EXPANSION_MAX,
                    EXPANSION_CAPEX,
                    TRANSIT_LOCAL if local else TRANSIT_REMOTE,
                ]
            )
    write(
        "links.csv",
        [
            "hub_id",
            "cluster_id",
            "one_way_ms",
            "bandwidth_existing_gbps",
            "bandwidth_expansion_max_gbps",
            "expansion_capex_yuan_per_gbps",
            "transit_yuan_per_gbps_year",
        ],
        link_rows,
    )
    source("links", "one_way_ms", "all", "", LATENCY_SOURCE)
    source("links", "bandwidth_existing_gbps", "all", f"{LOCAL_BW}/{REMOTE_BW}", BW_SOURCE)
    source(
        "links",
        "bandwidth_expansion_max_gbps/expansion_capex_yuan_per_gbps",
        "all",
        f"{EXPANSION_MAX}/{EXPANSION_CAPEX}",
        EXPANSION_SOURCE,
    )
    source("links", "transit_yuan_per_gbps_year", "all", f"{TRANSIT_LOCAL}/{TRANSIT_REMOTE}", TRANSIT_SOURCE)
    general = ("realtime", "near_realtime", "batch")
    write(
        "compute.csv",
        ["workload_id", "year", "pflops_per_rack"],
        [[w, y, GENERAL_PFLOPS_PER_RACK] for w in general for y in range(2026, 2031)],
    )
    source(
        "compute",
        "pflops_per_rack",
        "realtime/near_realtime/batch (all years)",
        GENERAL_PFLOPS_PER_RACK,
        GENERAL_PFLOPS_SOURCE,
    )
    for column, value, text in SCENARIO_SOURCES:
        source("scenario", column, "all", value, text)
    for metric, scope, value, low, high, text in CALIBRATION:
        source("calibration", metric, scope, value, text, f"{low:g}..{high:g}")
    write("sources.csv", ["table", "column", "entity", "value", "source", "band"], sources)


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
