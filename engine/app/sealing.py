"""The seal on each case's newest event: a keyed fingerprint that someone with write access to the
database cannot make.

Every case's events form a hash chain, and the case row points at the newest one (``last_seq``,
``last_hash``). Those hashes are unkeyed: whoever can write to the database can delete the last
event of a case and set the pointers back one step, and the chain that remains is consistent. When
that event changed nothing in the workflow (a note), replay cannot notice either.

The seal closes that gap: with every event, the case row also stores
``HMAC-SHA256(key, case id, last_seq, last_hash)`` (``cases.seal``). The key lives in a file outside
the database (``$WERKPAD_SEAL_KEY`` or ``instance/zegel.key``, created on first use, mode 0600).
``werkpad audit verify`` recomputes the seal: pointers set back by hand no longer match it, and the
seal that did match them was overwritten when the later event was written.

What it cannot catch (see docs/audittrail.md): someone who also holds the key; a whole database
(or a case's rows) put back from an earlier backup, seal and all — only the signed anchor kept
outside Werkpad shows that; cases whose last event predates the key (they carry no seal yet).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core import clock
from ..errors import ValidationError

SEAL_KEY_ENV = "WERKPAD_SEAL_KEY"
SEAL_FORMAT = "werkpad-zegel/1"


@dataclass(frozen=True)
class SealKey:
    secret: bytes
    created_at: datetime  # cases whose last event is older than this may carry no seal

    def seal(self, case_id: str, seq: int, last_hash: str) -> str:
        message = f"{SEAL_FORMAT}|{case_id}|{seq}|{last_hash}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def matches(self, seal: str | None, case_id: str, seq: int, last_hash: str) -> bool:
        return seal is not None and hmac.compare_digest(seal, self.seal(case_id, seq, last_hash))


def _read(path: Path) -> SealKey:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        if content.get("format") != SEAL_FORMAT:
            raise ValueError("onbekend formaat")
        return SealKey(base64.b64decode(content["key"]), clock.moment(content["created_at"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"{path} is geen leesbare zegelsleutel ({exc})") from exc


def load_seal_key(path: Path | str | None = None, instance_dir: Path | str | None = None) -> SealKey:
    """The seal key from ``path``, ``$WERKPAD_SEAL_KEY`` or ``instance/zegel.key``; created (mode
    0600, atomically: several processes may start at once) when there is none yet."""
    from .facade import ROOT

    chosen = Path(path or os.environ.get(SEAL_KEY_ENV) or Path(instance_dir or ROOT / "instance") / "zegel.key")
    if chosen.exists():
        return _read(chosen)
    chosen.parent.mkdir(parents=True, exist_ok=True)
    content = {"format": SEAL_FORMAT, "created_at": clock.iso(datetime.now(UTC)),
               "key": base64.b64encode(os.urandom(32)).decode()}
    temporary = chosen.with_name(f".{chosen.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(content, fh)
    try:
        os.link(temporary, chosen)  # fails when another process was first: then its key counts
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return _read(chosen)
