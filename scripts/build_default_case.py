"""Write `inputs/default/`: the 8 hubs x 10 clusters case, with a source for every number.

Every value below carries its source or says `estimate:` and why; the script writes the CSV
tables and `sources.csv` (table, column, entity, value, source) from the same records, so the
data and its provenance cannot drift. Facts come from `shared/reference/domain-facts.md`
(cited here as DF §section); URLs are the ones given there.

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
    "yangtze_demo_zone": ("yangtze_delta", "长三角生态绿色一体化发展示范区", "Yangtze River Delta Eco-Green Integration Demonstration Zone", 31.1, 120.9),
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

# Each numeric column: {cluster: (value, source)}.
RACKS_EXISTING = {
    "zhangjiakou": (460_000, "DF §2: '460,000 server racks' (2025), reportify.ai/news/1134413076024659968"),
    "yangtze_demo_zone": (100_000, "estimate: no rack count found (DF §3); land-scarce demo zone, set below Wuhu's build-out"),
    "wuhu": (120_000, "estimate: '>100k racks under construction' (Nov 2025, DF §3) assumed in service by 2026"),
    "shaoguan": (60_000, "estimate: 26.34 GWh/month in Jan 2026 (DF §3) ≈ 36 MW ≈ 15k racks in use; plan 500k far from met"),
    "tianfu": (150_000, "estimate: no count found (DF §3); Sichuan targets 40 EFLOPS by 2027"),
    "chongqing": (150_000, "estimate: 90k racks in 2020 (DF §2) grown ~10 %/yr to 2026"),
    "horinger": (250_000, "estimate: 和林格尔新区 150k racks in 2022 (DF §3) plus 集宁 and growth to 2026"),
    "guian": (200_000, "estimate: 19 DCs incl. 17 hyperscale (2024, DF §3); 14 hyperscale DCs × ~14k racks"),
    "qingyang": (80_000, "estimate: 31k racks end-2024 (DF §3) toward the 100k 2025 target"),
    "zhongwei": (200_000, "estimate: 30k racks 2020, target 720k 2025 (DF §3); 2/3 idle 2021, so well below target"),
}
RACKS_MAX = {
    "zhangjiakou": (800_000, "estimate: land available; power-export limits are modelled separately"),
    "yangtze_demo_zone": (180_000, "estimate: ecological-protection zone, land scarce (DF §3)"),
    "wuhu": (450_000, "estimate: >270 bn yuan committed (Nov 2025, DF §3) ≈ 3-4x the current build-out"),
    "shaoguan": (500_000, "DF §3: 500k standard racks planned for the start-up zone"),
    "tianfu": (400_000, "estimate: Sichuan 40 EFLOPS 2027 target (DF §3)"),
    "chongqing": (350_000, "estimate: same order as Tianfu"),
    "horinger": (900_000, "estimate: largest new-energy base (DF §4), 15 projects >50 bn yuan 2025 (DF §3)"),
    "guian": (800_000, "estimate: >4 M servers planned in 14 hyperscale DCs, 11,184 mu (DF §3)"),
    "qingyang": (880_000, "DF §3: +800k 2.5 kW racks by 2030 (10-year plan) on top of the existing stock"),
    "zhongwei": (900_000, "DF §3: 720k target 2025; 中金 project 820k standard racks; park land 'almost fully allocated'"),
}
BUILD_MAX = {c: (150_000 if c in WEST else 100_000, "estimate: 2023 western build-out >600k racks/yr over 4 clusters (DF §1.2) ≈ 150k per western cluster; eastern sites land-limited, 100k") for c in CLUSTERS}
POWER_MAX_MW = {
    "zhangjiakou": (3000, "estimate: UHV export lines full, ~20 GW undeveloped (DF §7); local DC grid connection assumed 3 GW"),
}
CAPEX = {
    "zhangjiakou": (65_000, "estimate: 50-100k yuan/rack facility-only band (DF §7) + moderate land premium"),
    "yangtze_demo_zone": (95_000, "estimate: top of the band: first-tier land 8-12 M yuan/mu (DF §7)"),
    "wuhu": (75_000, "estimate: 中联 campus 7.2 bn yuan / 8,500×18 kW racks ≈ 47k yuan per 2.5 kW-equivalent; + land"),
    "shaoguan": (75_000, "estimate: Guangdong land premium within the 50-100k band (DF §7)"),
    "tianfu": (70_000, "estimate: middle of the 50-100k band (DF §7)"),
    "chongqing": (70_000, "estimate: middle of the 50-100k band (DF §7)"),
    "horinger": (52_000, "estimate: 中卫 中金 ≈49k yuan/rack (DF §7) + cold-climate free cooling"),
    "guian": (55_000, "estimate: western band (DF §7); karst terrain slightly dearer"),
    "qingyang": (50_000, "DF §7: 中金 中卫 ≈49k yuan per 2.5 kW rack; land ~360k yuan/mu"),
    "zhongwei": (49_000, "DF §7: 中金数据 中卫 40 bn yuan / 820k standard racks ≈ 49k yuan/rack"),
}
FIXED_OPEX = {c: (3_000 if c in WEST else 4_000, "DF §7: 15 staff ≈2.25 M + maintenance 0.5-1 M yuan/yr per ~1,000 racks ≈ 3k yuan/rack-yr [secondary]; east +1k estimate for wages") for c in CLUSTERS}
PUE = {c: (1.2 if c in WEST else 1.25, "DF §1.4: approval letters, PUE ≤1.25 east / ≤1.2 west (庆阳 letter; others by pattern); new builds assumed at the cap") for c in CLUSTERS}
PRICE = {
    "zhangjiakou": (0.50, "estimate: DF §4 range 0.45-0.55 for the Hebei-north grid"),
    "yangtze_demo_zone": (0.70, "DF §4: Jiangsu large-industry flat 0.715 (unofficial table, unverified)"),
    "wuhu": (0.62, "estimate: national industrial average ≈0.63 yuan/kWh (DF §4, china-briefing)"),
    "shaoguan": (0.55, "estimate: Pearl River Delta ≈0.68 less the 0.134 Shaoguan discount (DF §4, udn.com 2026)"),
    "tianfu": (0.42, "estimate: hydro-rich Sichuan; 雅安 DC ≤0.34 (2019, DF §4) plus transmission"),
    "chongqing": (0.50, "estimate: between the western DC band and the national average"),
    "horinger": (0.38, "DF §4: Hohhot 'standard' DC price 0.38 yuan/kWh (2015)"),
    "guian": (0.35, "DF §4: Guizhou DC tariff 0.35 yuan/kWh (2020)"),
    "qingyang": (0.34, "estimate: DF §4 western DC band 0.30-0.38"),
    "zhongwei": (0.36, "DF §4: Zhongwei DC power 0.36 yuan/kWh (2020)"),
}
CO2 = {
    "zhangjiakou": (0.7252, "DF §4: MEE/NBS Hebei factor 0.7252 kg/kWh (2022)"),
    "yangtze_demo_zone": (0.5827, "DF §4: Jiangsu 0.5827 kg/kWh (2023 notice, via GitHub file, not independently verified)"),
    "wuhu": (0.6782, "DF §4: Anhui 0.6782 kg/kWh (2022)"),
    "shaoguan": (0.4419, "DF §4: Guangdong 0.4419 kg/kWh (2023)"),
    "tianfu": (0.1564, "DF §4: Sichuan 0.1564 kg/kWh (2023)"),
    "chongqing": (0.2268, "estimate: DF §4 西南 regional factor 0.2268 (2022) as proxy"),
    "horinger": (0.6849, "DF §4: Inner Mongolia 0.6849 kg/kWh (2022)"),
    "guian": (0.4042, "estimate: DF §4 南方 regional factor 0.4042 (2023) as proxy"),
    "qingyang": (0.5857, "estimate: DF §4 西北 regional factor 0.5857 (2022) as proxy"),
    "zhongwei": (0.5857, "estimate: DF §4 西北 regional factor 0.5857 (2022) as proxy"),
}
# Renewable capacity data centres can contract (MW): wind, solar, hydro.
RENEWABLE_MW = {
    "zhangjiakou": ((2000, 1500, 0), "estimate: Zhangjiakou wind 25.3 GW + PV 17.1 GW (DF §3) but export lines full; ~8 % taken as contractable by DCs"),
    "yangtze_demo_zone": ((0, 150, 0), "estimate: rooftop/distributed solar only; no large local base"),
    "wuhu": ((100, 300, 0), "estimate: Anhui distributed solar and small wind"),
    "shaoguan": ((300, 400, 300), "estimate: Shaoguan green capacity >60 % of local (DF §4), some hydro"),
    "tianfu": ((0, 200, 2000), "estimate: Sichuan hydro (DF §4: SW holds 63 % of national hydro, Guo et al. 2026)"),
    "chongqing": ((100, 200, 800), "estimate: Chongqing hydro share smaller than Sichuan's"),
    "horinger": ((4000, 2000, 0), "estimate: Inner Mongolia new energy >110 GW (DF §4); cluster green power 84.57 % (2025)"),
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
PPA_PREMIUM = 0.02
PPA_SOURCE = "estimate: green-power trading priced at the grid price plus a 0.02 yuan/kWh green premium"
CERT_PRICE = (30.0, "estimate: 绿证 prices were a few yuan/MWh in 2024; 30 yuan/MWh assumes the tightening of 2025-26")

# ----------------------------------------------------------------------------- workloads
WORKLOADS = [
    ("realtime", "实时业务", "Real-time services (industrial internet, finance, video, AI inference)", 5.0, 0.02,
     "DF §5-6: 5 ms regional tier (cluster to surrounding cities); traffic 20 Mbps/rack estimate"),
    ("near_realtime", "准实时业务", "Near-real-time (interactive analytics, content delivery)", 20.0, 0.01,
     "DF §5: 20 ms inter-hub budget, read here as round trip (DF §5 discusses one-way vs RTT); traffic 10 Mbps/rack estimate"),
    ("batch", "非实时业务", "Latency-tolerant (AI training, rendering, offline analytics, storage and backup)", None, 0.002,
     "DF §6: 后台加工/离线分析/存储备份, 东数西训/东数西渲 can go anywhere; traffic 2 Mbps/rack estimate"),
]

# ----------------------------------------------------------------------------- demand
# Racks in use in 2026 per hub: the hubs held >1.95 M racks at mid-2024 at ~63 % utilisation
# (DF §1.2) ≈ 1.23 M in use; grown ~20 %/yr (NDRC: demand >20 %/yr, DF §1.1) to 2026 ≈ 1.45 M.
DEMAND_2026_TOTAL = 1_450_000
HUB_SHARE = {
    "jingjinji": 0.30, "yangtze_delta": 0.28, "greater_bay": 0.17, "chengyu": 0.11,
    "inner_mongolia": 0.04, "guizhou": 0.04, "gansu": 0.02, "ningxia": 0.04,
}
HUB_SHARE_SOURCE = "estimate: split follows eastern hubs >3.68 M vs western >0.8 M racks in use (seed article, Sep 2022) and each hub's economy"
CLASS_SHARE = {"realtime": 0.30, "near_realtime": 0.25, "batch": 0.45}
CLASS_SHARE_SOURCE = "estimate: AI training/rendering/backup growing fastest (DF §6, 东数西训/东数西渲); real-time 30 %"
GROWTH = {"realtime": 0.15, "near_realtime": 0.18, "batch": 0.22}
GROWTH_SOURCE = "estimate: national compute ~30 %/yr, racks ~20 %/yr (DF §1.1-1.2); batch/AI fastest"

# ----------------------------------------------------------------------------- links
ROUTE_FACTOR = 1.5
FIBRE_KM_PER_MS = 200.0
EQUIPMENT_RTT_MS = 0.5
LATENCY_SOURCE = "estimate: RTT = 2 × great-circle km × 1.5 route factor / 200 km/ms + 0.5 ms equipment (method of DF §5 matrix)"
LOCAL_BW, REMOTE_BW = 8000.0, 1500.0
BW_SOURCE = "estimate: no public per-route DC bandwidth; own-hub metro 8 Tbps, inter-hub 1.5 Tbps available to DC traffic"
EXPANSION_MAX = 20000.0
EXPANSION_CAPEX = 150_000.0
EXPANSION_SOURCE = "estimate: 100G long-haul wavelengths ≈ 10-20k yuan per Gbps-km-decade; 150k yuan/Gbps per route; up to 20 Tbps added"
TRANSIT_LOCAL, TRANSIT_REMOTE = 20_000.0, 100_000.0
TRANSIT_SOURCE = "estimate: carrier bulk transmission fees; programme aims to cut inter-hub fees 'substantially' (DF §1.4, 1779号)"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a 6,371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    """Write one CSV table."""
    with (OUT / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    """Write every table and the sources table."""
    OUT.mkdir(parents=True, exist_ok=True)
    sources: list[list[object]] = []
    write("hubs.csv", ["hub_id", "name_zh", "name_en", "region", "lat_deg", "lon_deg", "new_racks_share_min"],
          [[*h, ""] for h in HUBS])
    for h in HUBS:
        sources.append(["hubs", "region", h[0], h[3], HUB_SOURCE])
        sources.append(["hubs", "lat_deg/lon_deg", h[0], f"{h[4]}/{h[5]}", HUB_COORD_SOURCE])

    cols = ["cluster_id", "hub_id", "name_zh", "name_en", "lat_deg", "lon_deg", "racks_existing", "racks_max",
            "build_max_racks_per_year", "power_max_mw", "capex_yuan_per_rack", "fixed_opex_yuan_per_rack_year", "pue",
            "pue_max", "power_price_yuan_per_kwh", "grid_co2_kg_per_kwh", "wind_mw", "solar_mw", "hydro_mw", "wind_cf",
            "solar_cf", "hydro_cf", "ppa_price_yuan_per_kwh", "certificate_price_yuan_per_mwh", "utilisation_min",
            "green_share_min_new"]
    rows = []
    for c, (hub, zh, en, lat, lon) in CLUSTERS.items():
        (wind, solar, hydro), re_src = RENEWABLE_MW[c]
        (wcf, scf, hcf), cf_src = CF[c]
        power = POWER_MAX_MW.get(c, ("", ""))
        rows.append([c, hub, zh, en, lat, lon, RACKS_EXISTING[c][0], RACKS_MAX[c][0], BUILD_MAX[c][0], power[0],
                     CAPEX[c][0], FIXED_OPEX[c][0], PUE[c][0], PUE[c][0], PRICE[c][0], CO2[c][0], wind, solar, hydro,
                     wcf, scf, hcf, round(PRICE[c][0] + PPA_PREMIUM, 3), CERT_PRICE[0], "", ""])
        for column, table in [("racks_existing", RACKS_EXISTING), ("racks_max", RACKS_MAX), ("build_max_racks_per_year", BUILD_MAX),
                              ("capex_yuan_per_rack", CAPEX), ("fixed_opex_yuan_per_rack_year", FIXED_OPEX), ("pue", PUE),
                              ("power_price_yuan_per_kwh", PRICE), ("grid_co2_kg_per_kwh", CO2), ("power_max_mw", POWER_MAX_MW)]:
            if c in table:
                sources.append(["clusters", column, c, table[c][0], table[c][1]])
        sources.append(["clusters", "pue_max", c, PUE[c][0], PUE[c][1]])
        sources.append(["clusters", "lat_deg/lon_deg", c, f"{lat}/{lon}", "DF §3 (estimate there: approximate centre of host city, ±0.3°)"])
        sources.append(["clusters", "wind_mw/solar_mw/hydro_mw", c, f"{wind}/{solar}/{hydro}", re_src])
        sources.append(["clusters", "wind_cf/solar_cf/hydro_cf", c, f"{wcf}/{scf}/{hcf}", cf_src])
        sources.append(["clusters", "ppa_price_yuan_per_kwh", c, round(PRICE[c][0] + PPA_PREMIUM, 3), PPA_SOURCE])
        sources.append(["clusters", "certificate_price_yuan_per_mwh", c, CERT_PRICE[0], CERT_PRICE[1]])
    write("clusters.csv", cols, rows)

    write("workloads.csv", ["workload_id", "name_zh", "name_en", "latency_max_rtt_ms", "gbps_per_rack"],
          [[w[0], w[1], w[2], "" if w[3] is None else w[3], w[4]] for w in WORKLOADS])
    for w in WORKLOADS:
        sources.append(["workloads", "latency_max_rtt_ms/gbps_per_rack", w[0], f"{w[3]}/{w[4]}", w[5]])

    demand_rows = []
    for hub, share in HUB_SHARE.items():
        for workload, class_share in CLASS_SHARE.items():
            base = DEMAND_2026_TOTAL * share * class_share
            for year in YEARS:
                demand_rows.append([hub, workload, year, round(base * (1 + GROWTH[workload]) ** (year - YEARS.start))])
    write("demand.csv", ["hub_id", "workload_id", "year", "demand_racks"], demand_rows)
    sources += [["demand", "demand_racks", "all", DEMAND_2026_TOTAL, "DF §1.2: >1.95 M racks in the hubs mid-2024 at ~63 % utilisation ≈ 1.23 M in use; +20 %/yr (DF §1.1) to 2026"],
                ["demand", "hub split", "all", str(HUB_SHARE), HUB_SHARE_SOURCE],
                ["demand", "class split", "all", str(CLASS_SHARE), CLASS_SHARE_SOURCE],
                ["demand", "growth per year", "all", str(GROWTH), GROWTH_SOURCE]]

    link_rows = []
    coords = {h[0]: (h[4], h[5]) for h in HUBS}
    for hub, (hlat, hlon) in coords.items():
        for c, (chub, _zh, _en, lat, lon) in CLUSTERS.items():
            km = haversine_km(hlat, hlon, lat, lon)
            rtt = round(2 * km * ROUTE_FACTOR / FIBRE_KM_PER_MS + EQUIPMENT_RTT_MS, 1)
            local = chub == hub
            link_rows.append([hub, c, rtt, LOCAL_BW if local else REMOTE_BW, EXPANSION_MAX, EXPANSION_CAPEX,
                              TRANSIT_LOCAL if local else TRANSIT_REMOTE])
    write("links.csv", ["hub_id", "cluster_id", "rtt_ms", "bandwidth_existing_gbps", "bandwidth_expansion_max_gbps",
                        "expansion_capex_yuan_per_gbps", "transit_yuan_per_gbps_year"], link_rows)
    sources += [["links", "rtt_ms", "all", "", LATENCY_SOURCE],
                ["links", "bandwidth_existing_gbps", "all", f"{LOCAL_BW}/{REMOTE_BW}", BW_SOURCE],
                ["links", "bandwidth_expansion_max_gbps/expansion_capex_yuan_per_gbps", "all", f"{EXPANSION_MAX}/{EXPANSION_CAPEX}", EXPANSION_SOURCE],
                ["links", "transit_yuan_per_gbps_year", "all", f"{TRANSIT_LOCAL}/{TRANSIT_REMOTE}", TRANSIT_SOURCE]]
    write("sources.csv", ["table", "column", "entity", "value", "source"], sources)


if __name__ == "__main__":
    main()
