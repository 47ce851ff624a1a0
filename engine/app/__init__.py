"""The use cases, one module per job, sharing :mod:`engine.app.repository`.

``Werkpad`` (:mod:`engine.app.facade`) is the thin facade entry points hold.
"""
from .facade import Werkpad, default_database_url

__all__ = ["Werkpad", "default_database_url"]
