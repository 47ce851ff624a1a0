"""Decision tables (DMN) that a case evaluates, written down as they are evaluated.

SpiffWorkflow evaluates a business rule task's decision table and merges the outcome
into the task data; afterwards nothing says which table ran, with which inputs, or
which rule matched. :class:`RecordingDMNEngine` takes the place of Spiff's engine on
every business rule task (at parse time) and, while a case takes a step, appends one
record per evaluation to the list :func:`recording` hands out. The engine stores
those records in the step's event (``beslissingen``), so the auditor's timeline shows
each decision from the record itself.

A record holds words only (no element ids): the decision's name, the task's name, the
inputs with their labels and values, the rules that matched (number and description)
and the outcome by output label.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

_LOG: contextvars.ContextVar[list[dict] | None] = contextvars.ContextVar("werkpad_decisions", default=None)
_MATCHED: contextvars.ContextVar[list | None] = contextvars.ContextVar("werkpad_dmn_matched", default=None)


@contextlib.contextmanager
def recording(log: list[dict]) -> Iterator[None]:
    """Append a record of every decision table evaluated inside the block to ``log``."""
    token = _LOG.set(log)
    try:
        yield
    finally:
        _LOG.reset(token)


def _safe(value: Any) -> Any:
    """A value as JSON can hold it (case data already is; anything else becomes text)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return str(value)


class RecordingDMNEngine(DMNEngine):
    """Spiff's DMN engine that also writes down what it decided (see module docstring)."""

    def __init__(self, decision_table: Any, decision_name: str | None = None) -> None:
        super().__init__(decision_table)
        self.decision_name = decision_name or decision_table.name or ""

    def decide(self, task: Any) -> list:
        rules = super().decide(task)
        matched = _MATCHED.get()
        if matched is not None:
            matched.extend(rules)
        return rules

    def result(self, task: Any) -> dict:
        log = _LOG.get()
        if log is None:
            return super().result(task)
        matched: list = []
        token = _MATCHED.set(matched)
        try:
            outcome = super().result(task)
        finally:
            _MATCHED.reset(token)
        log.append(self._record(task, matched, outcome))
        return outcome

    def _record(self, task: Any, matched: list, outcome: dict) -> dict:
        table = self.decision_table
        script_engine = task.workflow.script_engine
        inputs = []
        for column in table.inputs:
            label = column.label or column.name or column.expression or ""
            try:
                value = _safe(script_engine.evaluate(task, column.expression)) if column.expression else None
            except Exception:  # noqa: BLE001 - an input that cannot be read is shown as unknown
                value = None
            inputs.append({"naam": label, "waarde": value})
        labels = {(o.name or o.label): (o.label or o.name) for o in table.outputs}
        collect = table.hit_policy == "COLLECT"
        used = matched if collect else matched[:1]
        return {
            "tabel": self.decision_name,
            "taak": getattr(task.task_spec, "bpmn_name", None) or "",
            "invoer": inputs,
            "regels": [{"nummer": rule.row_number, "omschrijving": (rule.description or "").strip()}
                       for rule in used],
            "uitkomst": [{"naam": labels.get(key, key), "waarde": _safe(value)} for key, value in outcome.items()],
        }


def adopt(task_spec: Any, decision_names: dict[str, str]) -> None:
    """Give a business rule task the recording engine (``decision_names``: table id -> decision name)."""
    engine = getattr(task_spec, "dmnEngine", None)
    if engine is None or isinstance(engine, RecordingDMNEngine):
        return
    table = engine.decision_table
    task_spec.dmnEngine = RecordingDMNEngine(table, decision_names.get(table.id))
