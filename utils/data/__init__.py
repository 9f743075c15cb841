"""Every dataset the course uses, in one line each (data/README.md lists sources and licences).

Real, shipped in PyPI packages: load_electricity.
Synthetic (seeded): two_sine_series, toy_one_to_many, toy_many_to_one, toy_many_to_many, make_windows.
"""

from .real import load_electricity
from .synthetic import make_windows, toy_many_to_many, toy_many_to_one, toy_one_to_many, two_sine_series

__all__ = [
    "load_electricity","make_windows", "toy_many_to_many", "toy_many_to_one", "toy_one_to_many", "two_sine_series"]
