"""Burgerservicenummer checks (the 11-proef)."""
from __future__ import annotations


def is_valid_bsn(value: str) -> bool:
    """A BSN has 9 digits whose weighted sum (9..2, and -1 for the last) is a
    positive multiple of 11. ``000000000`` is therefore invalid."""
    if not isinstance(value, str) or len(value) != 9 or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and total != 0


def is_valid_rsin(value: str) -> bool:
    """An RSIN (Rechtspersonen en Samenwerkingsverbanden Informatienummer) has 9 digits and passes
    the same 11-proef as a BSN."""
    return is_valid_bsn(value)


def normalise_bsn(value: str) -> str:
    """Strip spaces/dots and left-pad 8-digit numbers (old BSNs) with a zero."""
    cleaned = "".join(c for c in str(value) if c.isdigit())
    if len(cleaned) == 8:
        cleaned = "0" + cleaned
    return cleaned


def mask_bsn(value: str) -> str:
    """Show only the last three digits: ``*****6789``-style."""
    return "*" * 6 + value[-3:] if value else ""
