"""Build the default case's hourly availability profiles: `inputs/default/profiles/hourly.csv.gz`.

For every cluster in `inputs/default/clusters.csv`, 8760 hourly availability factors (year 2025,
China Standard Time UTC+8, hour 0 = 1 Jan 00:00-01:00):

- solar: pvlib solar position and Ineichen clear-sky irradiance at the cluster's coordinates
  (Linke turbidity from pvlib's bundled climatology), transposed onto a south-facing plane tilted
  at the latitude (Hay-Davies), times a seeded cloudiness model (estimate): a daily clear-sky index
  k_d = 1 - 0.75 * B_d with B_d ~ Beta(a, b) following an AR(1) copula (phi = 0.6 day to day), and
  hourly noise exp(N(0, 0.1^2)) within the day; then scaled to the province's annual capacity
  factor `solar_cf` (clusters.csv), capped at 1.
- wind: a seeded AR(1) Gaussian copula (phi = 0.97 hour to hour, about a 33-hour memory) mapped to
  a Weibull(k = 2) wind speed with a seasonal (+-15 %, windiest in March) and diurnal (+-8 %,
  windiest at 15:00) modulation of the scale, through a generic IEC class II power curve
  (cut-in 3 m/s, rated 12 m/s, cut-out 25 m/s, cubic in between); the Weibull scale is set by
  bisection so that the mean equals `wind_cf` (estimate: the model, not the calibration target).
- hydro: flat within the day, seasonal (estimate): 1 + 0.45 cos(2 pi (doy - 196) / 365) (wet season
  peaking mid-July in south-west China), scaled to `hydro_cf`, capped at 1.

Run: `python scripts/build_profiles.py` (needs pvlib: `pip install 'planner[profiles]'`). Seeds
are fixed, so the output is reproducible bit for bit with the same pvlib/numpy versions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "inputs" / "default"
OUT = CASE / "profiles" / "hourly.csv.gz"
YEAR = 2025
SEED = 20260601


def hours() -> pd.DatetimeIndex:
    """8760 hour-start timestamps in China Standard Time; pvlib evaluates the hour's midpoint."""
    return pd.date_range(f"{YEAR}-01-01 00:00", periods=8760, freq="h", tz="Asia/Shanghai")


def scale_to_mean(x: np.ndarray, target: float) -> np.ndarray:
    """Multiply x so that min(x * f, 1) has mean `target` (bisection on f)."""
    if target <= 0 or x.max() <= 0:
        return np.zeros_like(x)
    lo, hi = 0.0, 1.0 / max(x.mean(), 1e-9) * 10
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.minimum(x * mid, 1).mean() < target else (lo, mid)
    return np.minimum(x * 0.5 * (lo + hi), 1.0)


def ar1_normal(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Standard-normal AR(1) series."""
    z = np.empty(n)
    z[0] = rng.standard_normal()
    shocks = rng.standard_normal(n) * np.sqrt(1 - phi**2)
    for t in range(1, n):
        z[t] = phi * z[t - 1] + shocks[t]
    return z


def solar(lat: float, lon: float, cf: float, rng: np.random.Generator) -> np.ndarray:
    """Hourly solar availability: clear-sky plane-of-array irradiance x cloudiness, scaled to cf."""
    times = hours()
    mid = times + pd.Timedelta(minutes=30)
    site = pvlib.location.Location(lat, lon, tz="Asia/Shanghai")
    position = site.get_solarposition(mid)
    clear = site.get_clearsky(mid, model="ineichen", solar_position=position)
    dni_extra = pvlib.irradiance.get_extra_radiation(mid)
    poa = (
        pvlib.irradiance.get_total_irradiance(
            surface_tilt=lat,
            surface_azimuth=180,
            solar_zenith=position["apparent_zenith"],
            solar_azimuth=position["azimuth"],
            dni=clear["dni"],
            ghi=clear["ghi"],
            dhi=clear["dhi"],
            dni_extra=dni_extra,
            model="haydavies",
        )["poa_global"]
        .fillna(0.0)
        .to_numpy()
    )
    day_index = np.arange(8760) // 24
    daily = stats.beta(1.4, 2.6).ppf(stats.norm.cdf(ar1_normal(rng, 365, 0.6)))
    clearness = (1 - 0.75 * daily)[day_index] * np.exp(rng.normal(0, 0.1, 8760))
    raw = np.clip(poa / 1000.0 * clearness, 0, None)
    return scale_to_mean(raw, cf)


def power_curve(speed: np.ndarray) -> np.ndarray:
    """Generic IEC class II turbine: output share at each wind speed (m/s)."""
    out = np.clip((speed**3 - 3.0**3) / (12.0**3 - 3.0**3), 0, 1)
    return np.where(speed >= 25.0, 0.0, out)


def wind(cf: float, rng: np.random.Generator) -> np.ndarray:
    """Hourly wind availability with mean cf from an AR(1) Weibull speed series."""
    if cf <= 0:
        return np.zeros(8760)
    t = np.arange(8760)
    u = stats.norm.cdf(ar1_normal(rng, 8760, 0.97))
    shape = (1 + 0.15 * np.cos(2 * np.pi * (t / 24 - 74) / 365)) * (1 + 0.08 * np.cos(2 * np.pi * ((t % 24) - 15) / 24))
    base = stats.weibull_min(2.0).ppf(u) * shape
    lo, hi = 0.5, 30.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if power_curve(base * mid).mean() < cf else (lo, mid)
    return power_curve(base * 0.5 * (lo + hi))


def hydro(cf: float) -> np.ndarray:
    """Hourly hydro availability: seasonal, flat within the day, mean cf."""
    doy = np.arange(8760) // 24
    return scale_to_mean(1 + 0.45 * np.cos(2 * np.pi * (doy - 196) / 365), cf)


def main() -> None:
    """Write profiles/hourly.csv.gz for every cluster of the default case."""
    clusters = pd.read_csv(CASE / "clusters.csv")
    frames = []
    for k, row in enumerate(clusters.itertuples()):
        rng = np.random.default_rng([SEED, k])
        frames.append(pd.DataFrame({
            "cluster_id": row.cluster_id,
            "hour": np.arange(8760),
            "wind_cf": wind(row.wind_cf, rng),
            "solar_cf": solar(row.lat_deg, row.lon_deg, row.solar_cf, rng),
            "hydro_cf": hydro(row.hydro_cf),
        }))
    out = pd.concat(frames, ignore_index=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(OUT, index=False, float_format="%.4f", lineterminator="\n", compression={"method": "gzip", "mtime": 0})
    means = out.groupby("cluster_id", sort=False)[["wind_cf", "solar_cf", "hydro_cf"]].mean().round(4)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB); annual means:\n{means}")


if __name__ == "__main__":
    main()
