"""Real data shipped inside PyPI packages: no download at run time."""

from __future__ import annotations

import pandas as pd

#: Taylor (2003): half-hourly demand, England and Wales, Monday 5 June to Sunday 27 August 2000.
ELECTRICITY_START = "2000-06-05 00:00"


def load_electricity() -> pd.Series:
    """Half-hourly electricity demand (MW) for England and Wales, June to August 2000.

    4,032 points (12 weeks x 7 days x 48 half hours) from `pmdarima.datasets.load_taylor`,
    returned as a float64 Series named 'demand_mw' with a half-hourly DatetimeIndex.
    """
    from pmdarima.datasets import load_taylor

    values = load_taylor(as_series=False)
    index = pd.date_range(ELECTRICITY_START, periods=len(values), freq="30min", name="time")
    return pd.Series(values.astype("float64"), index=index, name="demand_mw")
