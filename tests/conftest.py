"""Shared pytest set-up: every test starts with the exercise hints at their first stage."""

import pytest

from utils.checks import reset_hints


@pytest.fixture(autouse=True)
def _fresh_hint_stages():
    reset_hints()
    yield
    reset_hints()
