"""Werkpad's web layer (Flask): the app is built by ``create_app`` in :mod:`web.app`.

The package itself imports nothing, so ``werkpad --help`` can describe ``serve`` (web/serve.py,
a ``werkpad.commands`` entry point) without loading Flask; ``from web import create_app`` and
the other names of :mod:`web.app` load it when first asked for.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__") or name == "app":  # the submodule itself loads through the import system
        raise AttributeError(name)
    return getattr(import_module(f"{__name__}.app"), name)
