"""What a stored case and a stored process version are called and run on: the short
label of a version, the format of a stored state and the software versions a case
records. Standard library only, so reading a case needs neither SpiffWorkflow nor
the form schemas (:mod:`engine.core.runtime` and :mod:`engine.core.definitions`
use these names)."""
from __future__ import annotations

import functools

VERSION_LABEL_LENGTH = 12
STATE_FORMAT = 1  # the shape of a stored case state; a state in any other format is not read
KNOWN_STATE_FORMATS = (STATE_FORMAT,)


def version_label(version_hash: str) -> str:
    """The short name of a version people see: the first 12 characters of its hash."""
    return version_hash[:VERSION_LABEL_LENGTH]


@functools.cache
def engine_versions() -> dict[str, str | int]:
    """What a case runs on: Werkpad's version, SpiffWorkflow's and the state format."""
    from importlib import metadata  # here: reading a case needs no package metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "onbekend"
    return {"werkpad": installed("werkpad"), "spiffworkflow": installed("SpiffWorkflow"),
            "state_format": STATE_FORMAT}
