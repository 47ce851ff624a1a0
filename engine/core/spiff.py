"""The one place Werkpad touches SpiffWorkflow 3.2.0's private attributes.

The runtime needs a few things Spiff has no public API for: the internal data
of a task (timer state), the child/parent id links of the task tree (pruning a
finished history), the store behind a spec's computed ``inputs``, the predict
step of a workflow and the serializer registry's encoder mode. Each is one small
named function here, so an upgrade of SpiffWorkflow is checked in one module
(and by tests/unit/test_spiff_adapter.py).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


# --------------------------------------------------------------------------- task internal data
def internal(task: Any, key: str, default: Any = None) -> Any:
    """A value of the task's internal data (not the process data)."""
    return task._get_internal_data(key, default)


def set_internal(task: Any, **values: Any) -> None:
    task._set_internal_data(**values)


# --------------------------------------------------------------------------- task tree links
def child_ids(task: Any) -> list[Any]:
    """The ids of the task's children: the live list itself, edits change the tree."""
    children: list[Any] = task._children
    return children


def parent_id(task: Any) -> Any:
    """The id of the task's parent (None for a root)."""
    return task._parent


def set_child_ids(task: Any, ids: list[Any]) -> None:
    """Give the task its children by id (restoring a stored tree)."""
    task._children = ids


def replace_child(parent: Any, old_id: Any, new_id: Any) -> None:
    """Put ``new_id`` where ``old_id`` was among the parent's children (same position)."""
    children = parent._children
    children[children.index(old_id)] = new_id


def remove_child(task: Any, child_id: Any) -> None:
    task._children.remove(child_id)


def set_parent(task: Any, parent_id: Any) -> None:
    """Point the task at another parent by id (None: the task becomes a root)."""
    task._parent = parent_id


# --------------------------------------------------------------------------- specs and workflows
def add_input(task_spec: Any, name: str) -> None:
    """Record ``name`` as an input of the spec without connecting it: ``inputs``
    is computed from this store, and connecting would add outputs as well."""
    task_spec._inputs.append(name)


def predictor(workflow: Any) -> Any:
    """The predict step of a (sub)workflow, to be run later."""
    return workflow._predict


@contextlib.contextmanager
def encoder_mode(registry: Any) -> Iterator[None]:
    """The serializer registry in encoder mode for the duration of the block."""
    registry._encoder_mode = True
    try:
        yield
    finally:
        registry._encoder_mode = False
