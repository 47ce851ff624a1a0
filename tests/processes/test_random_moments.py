"""Every process's scenario replays, whatever the moment it runs at.

Jan's profile runs through every organisation's process starting at moments that
round test clocks never produce: microseconds, the minutes around both DST
transitions, the last second of a leap day, a century ahead. Each run ends with a
replay of the case from its events; it must rebuild exactly the stored state.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.tools.compare import compare

ROOT = Path(__file__).resolve().parents[2]
JAN = json.loads((ROOT / "docs" / "profielen" / "jan.json").read_text(encoding="utf-8"))

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.just(UTC))


# the moments round test clocks never produce, each its own test (pytest's workers share them out)
AWKWARD = {
    "a microsecond before summer time": datetime(2027, 3, 28, 0, 59, 59, 999_999, tzinfo=UTC),
    "just after (02:00 local is skipped)": datetime(2027, 3, 28, 1, 0, 0, 1, tzinfo=UTC),
    "02:30 local, the first time": datetime(2027, 10, 31, 0, 30, 0, 123_456, tzinfo=UTC),
    "02:30 local, the second time": datetime(2027, 10, 31, 1, 30, 0, 654_321, tzinfo=UTC),
    "the last instant of a leap day": datetime(2028, 2, 29, 22, 59, 59, 999_999, tzinfo=UTC),
    "far future": datetime(2199, 12, 31, 11, 59, 59, 500_001, tzinfo=UTC),
}


def _replays_from(start: datetime) -> None:
    born = date.fromisoformat(JAN["geboortedatum"])  # Jan's age stays his age, whenever his case starts
    profile = {**JAN, "start": start.isoformat(), "horizon": "P2Y",
               "geboortedatum": born.replace(year=start.year - (2026 - born.year)).isoformat()}
    results = compare(profile, ROOT / "processes", ROOT / "forms")
    assert len(results) >= 9
    for result in results:
        assert "error" not in result, result
        assert result["replay_klopt"] is True, (result["process"], start)


@pytest.mark.parametrize("start", AWKWARD.values(), ids=AWKWARD.keys())
def test_every_process_replays_from_an_awkward_moment(start):
    _replays_from(start)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=moments)
def test_every_process_replays_from_any_moment(start):
    _replays_from(start)
