"""Werkpad restores and stores a case's task tree with its own task converter
(engine/core/runtime.py, ``_TaskConverter``: every task id parsed and written once per
restore). It must read and write exactly what SpiffWorkflow's own converter does: cases of
every organisation, played through months by the simulation (user tasks, timers, messages,
call activities, decision tables), restored and stored both ways, agree to the last field."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from sqlalchemy import select

from engine import Werkpad
from engine.core import runtime, spiff
from engine.storage import CaseRow
from engine.tools.simulate import Simulation, load_profiles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[Werkpad, list[CaseRow]]:
    path = tmp_path_factory.mktemp("toestand") / "zaken.sqlite"
    wp = Werkpad(f"sqlite:///{path}", ROOT / "processes", ROOT / "forms")
    wp.upgrade_db()
    wp.deploy(actor="test")
    Simulation(wp, load_profiles(ROOT / "docs" / "profielen"), 7, None).run(27, 5)
    with wp.db.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(CaseRow).order_by(CaseRow.id)))
        uow.session.expunge_all()
    yield wp, rows
    wp.db.dispose()


def _both_ways(wp: Werkpad, row: CaseRow) -> tuple[dict, dict]:
    stock_registry, stock = runtime._make_registry(TaskConverter)
    state = json.loads(row.state)
    with wp.db.unit_of_work() as uow:
        spec, subs = wp.repo.bundle_by_id(uow, row.definition_id).specs()
    engine = runtime.CaseRuntime.script_engine()
    ours = runtime._CONVERTER.restore(json.loads(json.dumps(state["workflow"])), spec, subs, engine)
    theirs = stock.restore(json.loads(json.dumps(state["workflow"])), spec, subs, engine)
    written = {}
    for name, (registry, converter) in {"ours": (runtime._REGISTRY, runtime._CONVERTER),
                                        "theirs": (stock_registry, stock)}.items():
        for source, workflow in (("ours", ours), ("theirs", theirs)):
            with spiff.encoder_mode(registry):
                written[name, source] = json.loads(json.dumps(converter.to_dict(workflow)))
    return written, state["workflow"]


def test_the_simulation_reached_every_organisation_and_kind_of_step(played):
    wp, rows = played
    organisations = {row.organisation for row in rows}
    assert len(organisations) >= 8, organisations
    states = [json.loads(row.state)["workflow"] for row in rows]
    assert any(s["subprocesses"] for s in states), "no case ran a call activity"
    assert {row.status for row in rows} >= {"waiting", "completed"}, {row.status for row in rows}


def test_every_case_reads_and_writes_as_spiffworkflow_does(played):
    wp, rows = played
    for row in rows:
        written, stored = _both_ways(wp, row)
        reference = written["theirs", "theirs"]
        assert reference == stored, f"{row.case_number}: Spiff's own round trip changed the stored state"
        for key, value in written.items():
            assert value == reference, f"{row.case_number}: {key} differs from SpiffWorkflow's converter"


@pytest.mark.parametrize("text", [str(uuid.uuid4()), str(uuid.uuid4()).upper(),
                                  "{" + str(uuid.uuid4()) + "}", uuid.uuid4().hex],
                         ids=["plain", "upper", "braces", "hex"])  # fixed names: every pytest worker collects the same
def test_a_task_id_reads_as_uuid_reads_it(text):
    assert runtime._task_id(text) == uuid.UUID(text)
    assert runtime._task_id(text) is runtime._task_id(text)  # read once


@pytest.mark.parametrize("text", ["", "banaan", "x" * 36, "1234-5678"])
def test_a_damaged_task_id_is_refused_as_uuid_refuses_it(text):
    with pytest.raises(ValueError):
        uuid.UUID(text)
    with pytest.raises(ValueError):
        runtime._task_id(text)
