"""The runtime walks a case's tasks itself (one walk per step, engine/core/runtime.py) instead of
through SpiffWorkflow's iterator. The order matters (ordinals, the merged case data), so every
walk made while these scenarios run is checked against Spiff's own ``get_tasks()`` walk."""
from __future__ import annotations

import pytest

from engine.core.runtime import CaseRuntime
from tests.unit import test_runtime as scenarios


def _spiff_walk(runtime: CaseRuntime) -> list:
    tasks = list(runtime.workflow.get_tasks())
    seen = {t.id for t in tasks}
    for sp in runtime.workflow.subprocesses.values():
        for task in sp.get_tasks(skip_subprocesses=True):
            if task.id not in seen:
                seen.add(task.id)
                tasks.append(task)
    return tasks


@pytest.fixture
def walks(monkeypatch) -> list[int]:
    original = CaseRuntime._all_tasks
    sizes: list[int] = []

    def checked(self):
        ours = original(self)
        assert [t.id for t in ours] == [t.id for t in _spiff_walk(self)]
        sizes.append(len(ours))
        return ours

    monkeypatch.setattr(CaseRuntime, "_all_tasks", checked)
    return sizes


@pytest.mark.parametrize("restore", [False, True], ids=["straight", "save-restore"])
def test_walk_matches_spiff_through_the_example_process(walks, restore):
    bundle = scenarios._bundle("voorbeeld", scenarios.ROOT / "processes", scenarios.ROOT / "forms")
    scenarios._jan_through_voorbeeld(bundle, restore)
    assert len(walks) > 20 and max(walks) > 5


@pytest.mark.parametrize("order", [("u1", "u2", "d_taak"), ("d_taak", "u2", "u1")])
def test_walk_matches_spiff_through_joins_and_a_call_activity(walks, order):
    bundle = scenarios._bundle("parallel", scenarios.FIXTURES, scenarios.FIXTURES / "forms_lus")
    scenarios.test_three_way_join_and_call_activity_followed_by_automatic_steps(bundle, order, True)
    assert walks


def test_walk_matches_spiff_in_an_interrupting_event_subprocess(walks):
    scenarios.test_interrupting_event_subprocess_with_its_own_task_ends_the_case_after_it(False)
    assert walks


def test_one_walk_per_observation(walks):
    bundle = scenarios._bundle("voorbeeld", scenarios.ROOT / "processes", scenarios.ROOT / "forms")
    d = scenarios.Driver(bundle, False, {}, "2026-01-05T09:00")
    before = len(walks)
    observation = d.rt.observe()
    assert len(walks) == before + 1
    assert [t.spec for t in observation.tasks] == ["intake"]
    tasks = d.rt.walk()
    d.rt.observe(tasks)
    d.rt.serialize(tasks)
    assert len(walks) == before + 2
