"""People for CLI tests: the CLI acts as a named user, so the users must exist with their roles."""
from __future__ import annotations

from argon2 import PasswordHasher

from engine import Werkpad
from engine.app.accounts import Accounts

PASSWORD = "geheim-wachtwoord-1"
SECRET = "test-pseudoniem-sleutel"  # the CLI reads it from WERKPAD_PSEUDONYM_SECRET
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PEOPLE = (
    ("kees", "consultant", "inkomensconsulent"),
    ("wendy", "consultant", "werkconsulent"),
    ("tineke", "teamleider", None),
    ("piet", "process_designer", None),
)


def add_people(url: str, organisation: str = "voorbeeldstad", other: str = "anderstad") -> Accounts:
    """kees and wendy (consultants in two lanes), tineke (teamleider) and piet (designer) of
    ``organisation``; anna, a consultant of ``other``. The schema must be there."""
    wp = Werkpad(url)
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    accounts.create_organisation(organisation, organisation.capitalize())
    accounts.create_organisation(other, other.capitalize())
    for username, role, lane in PEOPLE:
        accounts.create_user(username, PASSWORD, username.capitalize())
        accounts.grant(username, organisation, role, lane)
    accounts.create_user("anna", PASSWORD, "Anna")
    accounts.grant("anna", other, "consultant", "inkomensconsulent")
    wp.db.dispose()
    return accounts
