"""Tests for the Dutch working-day calendar (Algemene termijnenwet)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.core.kalender import (
    feestdagen,
    is_werkdag,
    pasen,
    plus_duur,
    termijn_einde,
    volgende_werkdag,
    werkdagen_na,
)


@pytest.mark.parametrize(
    "jaar, verwacht",
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2000, date(2000, 4, 23)),
        (2038, date(2038, 4, 25)),
        (2011, date(2011, 4, 24)),
        (2285, date(2285, 3, 22)),  # earliest possible Easter
        (1943, date(1943, 4, 25)),  # latest possible Easter
    ],
)
def test_pasen(jaar, verwacht):
    assert pasen(jaar) == verwacht
    assert feestdagen(jaar)[verwacht] == "Eerste Paasdag"


def test_pasen_outside_gregorian_range():
    with pytest.raises(ValueError):
        pasen(1500)


def test_feestdagen_2026_complete_list():
    assert feestdagen(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede Vrijdag",
        date(2026, 4, 5): "Eerste Paasdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 24): "Eerste Pinksterdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }


def test_koningsdag_moves_to_saturday_when_27_april_is_sunday():
    dagen = feestdagen(2025)
    assert date(2025, 4, 27).weekday() == 6
    assert dagen[date(2025, 4, 26)] == "Koningsdag"
    assert date(2025, 4, 27) not in dagen


def test_koninginnedag_before_2014():
    assert feestdagen(2013)[date(2013, 4, 30)] == "Koninginnedag"
    # 30 April 2006 was a Sunday: celebrated on Saturday the 29th.
    assert feestdagen(2006)[date(2006, 4, 29)] == "Koninginnedag"


def test_bevrijdingsdag_every_year_under_atw():
    assert date(2025, 5, 5) in feestdagen(2025)
    assert date(2026, 5, 5) in feestdagen(2026)
    assert not is_werkdag(date(2026, 5, 5))  # a Tuesday


def test_bevrijdingsdag_lustrum_rule_is_optional():
    assert date(2025, 5, 5) in feestdagen(2025, bevrijdingsdag_elk_jaar=False)
    assert date(2026, 5, 5) not in feestdagen(2026, bevrijdingsdag_elk_jaar=False)


def test_goede_vrijdag_is_equated_by_atw_but_can_be_left_out():
    assert feestdagen(2026)[date(2026, 4, 3)] == "Goede Vrijdag"
    assert date(2026, 4, 3) not in feestdagen(2026, inclusief_goede_vrijdag=False)
    assert not is_werkdag(date(2026, 4, 3))


def test_hemelvaart_on_bevrijdingsdag_keeps_both_names():
    assert pasen(2016) + timedelta(days=39) == date(2016, 5, 5)
    assert feestdagen(2016)[date(2016, 5, 5)] == "Hemelvaartsdag / Bevrijdingsdag"


def test_feestdagen_returns_a_fresh_dict():
    feestdagen(2026).clear()
    assert len(feestdagen(2026)) == 11


@pytest.mark.parametrize(
    "dag, verwacht",
    [
        (date(2026, 3, 2), True),  # Monday
        (date(2026, 3, 6), True),  # Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 12, 25), False),  # Eerste Kerstdag, Friday
        (date(2026, 4, 6), False),  # Tweede Paasdag
        (date(2026, 5, 14), False),  # Hemelvaartsdag
    ],
)
def test_is_werkdag(dag, verwacht):
    assert is_werkdag(dag) is verwacht


def test_gelijkgestelde_dag_is_not_a_working_day():
    vrijdag_na_hemelvaart = date(2026, 5, 15)
    assert is_werkdag(vrijdag_na_hemelvaart)
    assert not is_werkdag(vrijdag_na_hemelvaart, gelijkgesteld={vrijdag_na_hemelvaart})
    assert volgende_werkdag(date(2026, 5, 14), gelijkgesteld={vrijdag_na_hemelvaart}) == date(2026, 5, 18)


def test_volgende_werkdag():
    assert volgende_werkdag(date(2026, 3, 4)) == date(2026, 3, 4)  # Wednesday stays
    assert volgende_werkdag(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday -> Monday
    assert volgende_werkdag(date(2026, 4, 6)) == date(2026, 4, 7)  # Tweede Paasdag -> Tuesday
    assert volgende_werkdag(date(2026, 4, 3)) == date(2026, 4, 7)  # Goede Vrijdag .. Paasmaandag
    assert volgende_werkdag(date(2026, 12, 24)) == date(2026, 12, 24)
    assert volgende_werkdag(date(2026, 12, 25)) == date(2026, 12, 28)


def test_volgende_werkdag_accepts_datetime():
    assert volgende_werkdag(datetime(2026, 3, 7, 12, tzinfo=UTC)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    "start, n, verwacht",
    [
        (date(2026, 3, 4), 0, date(2026, 3, 4)),
        (date(2026, 3, 7), 0, date(2026, 3, 9)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 -> Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday + 1 -> Monday
        (date(2026, 3, 2), 5, date(2026, 3, 9)),
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Goede Vrijdag and Pasen
        (date(2026, 12, 23), 3, date(2026, 12, 29)),
    ],
)
def test_werkdagen_na(start, n, verwacht):
    assert werkdagen_na(start, n) == verwacht


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_werkdagen_na_rejects_bad_counts(n):
    with pytest.raises(ValueError):
        werkdagen_na(date(2026, 3, 2), n)


def test_termijn_op_zaterdag_schuift_naar_maandag():
    # 2026-01-10 + 8 weeks = Saturday 2026-03-07
    assert plus_duur(date(2026, 1, 10), "P8W") == date(2026, 3, 7)
    assert termijn_einde(date(2026, 1, 10), "P8W") == date(2026, 3, 9)


def test_termijn_op_tweede_paasdag_schuift_naar_dinsdag():
    # 2026-03-09 + 4 weeks = Monday 2026-04-06, Tweede Paasdag
    assert plus_duur(date(2026, 3, 9), "P4W") == date(2026, 4, 6)
    assert termijn_einde(date(2026, 3, 9), "P4W") == date(2026, 4, 7)


def test_acht_weken_vanaf_2_november_2026():
    assert termijn_einde(date(2026, 11, 2), "P8W") == date(2026, 12, 28)  # a plain Monday
    # One working week earlier the term would end on Eerste Kerstdag: moves past the
    # Christmas days and the weekend.
    assert termijn_einde(date(2026, 10, 30), "P8W") == date(2026, 12, 28)


@pytest.mark.parametrize(
    "start, duur, verwacht",
    [
        (date(2025, 1, 31), "P1M", date(2025, 2, 28)),
        (date(2024, 1, 31), "P1M", date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), "P1Y", date(2025, 2, 28)),
        (date(2024, 2, 29), "P4Y", date(2028, 2, 29)),
        (date(2023, 3, 31), "P6M", date(2023, 9, 30)),
        (date(2023, 11, 15), "P3M", date(2024, 2, 15)),
        (date(2023, 1, 31), "P1Y2M", date(2024, 3, 31)),
        (date(2026, 2, 1), "P28D", date(2026, 3, 1)),
        (date(2026, 1, 31), "P1M1D", date(2026, 3, 1)),  # months first, then days
        (date(2026, 1, 1), "P0D", date(2026, 1, 1)),
    ],
)
def test_plus_duur_dates(start, duur, verwacht):
    assert plus_duur(start, duur) == verwacht


def test_plus_duur_keeps_type_and_timezone():
    start = datetime(2024, 1, 31, 22, 30, tzinfo=UTC)
    result = plus_duur(start, "P1MT2H15M30S")
    assert result == datetime(2024, 3, 1, 0, 45, 30, tzinfo=UTC)
    assert type(plus_duur(date(2024, 1, 1), "P1D")) is date


def test_termijn_einde_months_clamped_then_shifted():
    # 31 Jan 2026 + 1 month = Saturday 28 Feb 2026 -> Monday 2 March
    assert termijn_einde(date(2026, 1, 31), "P1M") == date(2026, 3, 2)


@pytest.mark.parametrize(
    "duur",
    ["", "P", "PT", "P1X", "P1.5M", "P1,5M", "-P1D", "p1d", "P1DT", "1D", "P1M2Y", "P 1D", "P1D ", None, 8],
)
def test_invalid_durations(duur):
    with pytest.raises(ValueError):
        plus_duur(date(2026, 1, 1), duur)


def test_time_part_on_plain_date_is_refused():
    with pytest.raises(ValueError, match="time part"):
        plus_duur(date(2026, 1, 1), "PT1H")


def test_out_of_range_result_is_a_value_error():
    with pytest.raises(ValueError, match="range"):
        plus_duur(date(9999, 12, 1), "P1M")
    with pytest.raises(ValueError, match="range"):
        plus_duur(date(9999, 12, 1), "P100D")
