"""Faults in the production shape, bounded: a cluster of gunicorn (2 web processes), 2 timer
workers and PostgreSQL; web processes and timer workers are SIGKILLed under load, PostgreSQL
restarts under load, two people complete the same task at once. Afterwards every acknowledged
change is there, no case is half-updated and the audit trail verifies. Longer versions:
``python -m bench.faults``."""
from __future__ import annotations

import random

import pytest

from tests.faults import (
    database_restarted,
    double_completion,
    start_cluster,
    timer_workers_killed,
    web_workers_killed,
)
from tests.pgserver import find_bin_dir

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(find_bin_dir() is None, reason="PostgreSQL niet geïnstalleerd")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster, wp, tokens = start_cluster(log_dir=tmp_path_factory.mktemp("cluster-logs"))
    yield cluster, wp, tokens
    wp.db.dispose()
    cluster.stop()


def _clean(result: dict) -> None:
    assert result["lost"] == [], result
    assert result["half"] == [], result
    assert result["audit_ok"] is True, result


def test_web_processes_killed_under_load(cluster):
    c, wp, tokens = cluster
    result = web_workers_killed(c, wp, tokens["kees"], seconds=6, kills=4, rng=random.Random(10))
    assert result["faults"] == 4 and result["acked"] > 20, result
    assert result["five_xx"] == 0, result  # a killed process drops connections; it never answers 5xx
    assert result["web_workers_after"] == 2 and result["answers_after_s"] is not None, result
    _clean(result)


def test_timer_workers_killed_while_timers_are_due(cluster):
    c, wp, _ = cluster
    result = timer_workers_killed(c, wp, cases=24, seconds=4, rng=random.Random(11))
    assert result["faults"] >= 3, result
    assert result["fired"] == 24 and result["fired_twice"] == 0, result
    _clean(result)


def test_postgres_restart_under_load(cluster):
    c, wp, tokens = cluster
    result = database_restarted(c, wp, tokens["kees"], restarts=1, seconds=5)
    assert result["five_xx_other"] == 0, result  # while the database is away: 503 with Retry-After, no 500
    assert result["acked"] > 10, result
    assert result["answers_after_s"] is not None and result["answers_after_s"] < 5, result
    assert result["timer_after_s"] is not None and result["timer_after_s"] < 10, result
    assert result["timer_workers_alive"] == 2, result  # recovered by themselves, not restarted
    _clean(result)


def test_two_people_complete_the_same_task_at_once(cluster):
    c, wp, tokens = cluster
    result = double_completion(c, wp, tokens, pairs=100)
    assert result["outcomes"] == {"200+409": 100}, result
    assert result["completed_twice"] == 0
    _clean(result)
