"""engine.core.spiff against the SpiffWorkflow version we pin: every private
attribute the runtime uses still exists and means what the adapter says."""
from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.core import spiff
from engine.core.definitions import discover
from engine.core.runtime import CaseRuntime

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workflow():
    bundle = discover(ROOT / "processes", ROOT / "forms", only=["voorbeeld"])[0]
    spec, subs = bundle.specs()
    data = {"gemeente": "voorbeeldstad", "geboortedatum": "1980-01-01", "leeftijd": 46, "melddatum": "2026-01-05",
            "gemeente_config": bundle.municipalities.get("voorbeeldstad", {})}
    with clock.at("2026-01-05T09:00"):
        return CaseRuntime.start(spec, subs, data).workflow


def test_internal_data_is_apart_from_the_process_data(workflow):
    task = workflow.task_tree
    assert spiff.internal(task, "werkpad_test") is None
    assert spiff.internal(task, "werkpad_test", "standaard") == "standaard"
    spiff.set_internal(task, werkpad_test="x", andere=2)
    assert spiff.internal(task, "werkpad_test") == "x" and spiff.internal(task, "andere") == 2
    assert "werkpad_test" not in task.data


def test_child_ids_are_the_tree_links(workflow):
    root = workflow.task_tree
    assert spiff.child_ids(root) == [c.id for c in root.children]
    child = root.children[0]
    assert child.parent is root
    assert spiff.parent_id(child) == root.id and spiff.parent_id(root) is None


def test_children_are_set_by_id(workflow):
    root = workflow.task_tree
    children = root.children
    spiff.set_child_ids(root, [c.id for c in reversed(children)])
    assert root.children == list(reversed(children))
    spiff.set_child_ids(root, [])
    assert root.children == []


def test_relinking_the_tree(workflow):
    root = workflow.task_tree
    child = root.children[0]
    grandchild = child.children[0]
    spiff.replace_child(root, child.id, grandchild.id)
    spiff.set_parent(grandchild, root.id)
    assert grandchild in root.children and child not in root.children and grandchild.parent is root
    spiff.remove_child(root, grandchild.id)
    assert grandchild.id not in spiff.child_ids(root)
    spiff.set_parent(root, None)
    assert root.parent is None


def test_add_input_records_an_input_without_outputs(workflow):
    spec = workflow.spec
    end, start = spec.task_specs["End"], spec.start
    outputs_before = list(start.outputs)
    spiff.add_input(end, start.name)
    assert start in end.inputs and list(start.outputs) == outputs_before


def test_predictor_predicts_the_future_tasks(workflow):
    predicted = [t for t in workflow.get_tasks() if t.has_state(TaskState.PREDICTED_MASK)]
    assert predicted
    for task in predicted:
        del workflow.tasks[task.id]
        if task.parent is not None and task.id in spiff.child_ids(task.parent):
            spiff.remove_child(task.parent, task.id)
    spiff.predictor(workflow)()
    assert any(t.has_state(TaskState.PREDICTED_MASK) for t in workflow.get_tasks())


def test_encoder_mode_is_switched_on_for_the_block_only():
    registry = BpmnWorkflowSerializer.configure()
    assert not getattr(registry, "_encoder_mode", False)
    with spiff.encoder_mode(registry):
        assert registry._encoder_mode is True
    assert registry._encoder_mode is False
    with pytest.raises(RuntimeError), spiff.encoder_mode(registry):
        raise RuntimeError("boom")
    assert registry._encoder_mode is False
