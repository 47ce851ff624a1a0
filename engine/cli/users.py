"""``werkpad users``: create users, list them, grant roles, block accounts.

    werkpad users create kees --naam "Kees de Vries"          (asks for the password)
    werkpad users grant kees voorbeeldstad consultant --lane inkomensconsulent
    werkpad users grant tineke voorbeeldstad teamleider
    werkpad users block kees          (ends every session at once)
    werkpad users list [--organisatie voorbeeldstad] [--json]
    werkpad users token kees --naam koppeling      (prints a bearer token for /api/v1 once)
    werkpad users revoke-token kees 3

``werkpad users organisation ijmond_werkt --naam "IJmond Werkt!" --soort regionaal``
creates or renames an organisation. Every command has ``--json``. The ``users``
group in :mod:`engine.cli` loads these commands when they are run.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..app.accounts import ORGANISATION_KINDS, ROLES, Accounts
from . import command

if TYPE_CHECKING:
    from ..app import Werkpad


def _describe(user: dict) -> str:
    roles = ", ".join(f"{r['role']}{'/' + r['lane'] if r['lane'] else ''}@{r['organisation']}" for r in user["roles"])
    state = " [geblokkeerd]" if user["blocked"] else ""
    return f"{user['username']:<16} {user['display_name']:<28} {roles or '(geen rollen)'}{state}"


@command(None, "organisation")
@click.argument("key")
@click.option("--naam", "name", default=None, help="Weergavenaam, bijvoorbeeld 'Gemeente Tilburg'.")
@click.option("--soort", "kind", type=click.Choice(ORGANISATION_KINDS), default="gemeente", show_default=True)
@click.option("--rsin", default=None, help="RSIN van de organisatie (9 cijfers, elfproef); bronorganisatie in de "
                                           "ZGW-export.")
def organisation(wp: Werkpad, key: str, name: str | None, kind: str, rsin: str | None) -> tuple[Any, str]:
    """Maak organisatie KEY aan (of werk haar bij)."""
    org = Accounts(wp).create_organisation(key, name or key, kind, rsin)
    return org, (f"organisatie {org['key']} ({org['name']}, {org['kind']}"
                 f"{', RSIN ' + org['rsin'] if org['rsin'] else ''})")


@command(None, "create")
@click.argument("username")
@click.option("--naam", "display_name", default=None, help="Volledige naam.")
@click.option("--email", default=None)
@click.option("--wachtwoord", "password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="WERKPAD_NEW_PASSWORD", help="Wordt gevraagd als het ontbreekt.")
def create(wp: Werkpad, username: str, display_name: str | None, email: str | None, password: str) -> tuple[Any, str]:
    """Maak gebruiker USERNAME aan."""
    user = Accounts(wp).create_user(username, password, display_name, email)
    return user, f"gebruiker {user['username']} aangemaakt"


@command(None, "grant")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None, help="Verplicht voor een consulent: de lane/rol in het proces.")
@click.option("--door", "granted_by", default="cli", help="Wie de rol toekent (voor het logboek).")
def grant(wp: Werkpad, username: str, organisation: str, role: str, lane: str | None,
          granted_by: str) -> tuple[Any, str]:
    """Geef USERNAME de rol ROLE in ORGANISATION."""
    user = Accounts(wp).grant(username, organisation, role, lane, granted_by=granted_by)
    return user, _describe(user)


@command(None, "revoke")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None)
def revoke(wp: Werkpad, username: str, organisation: str, role: str, lane: str | None) -> tuple[Any, str]:
    """Neem een rol van USERNAME in ORGANISATION weer af."""
    user = Accounts(wp).revoke(username, organisation, role, lane)
    return user, _describe(user)


@command(None, "block")
@click.argument("username")
@click.option("--opheffen", "undo", is_flag=True, help="Blokkade opheffen.")
def block(wp: Werkpad, username: str, undo: bool) -> tuple[Any, str]:
    """Blokkeer USERNAME; lopende sessies eindigen direct."""
    acc = Accounts(wp)
    if undo:
        acc.unblock(username)
        return {"user": username, "blocked": False}, f"blokkade van {username} opgeheven"
    acc.block(username)
    return {"user": username, "blocked": True}, f"{username} geblokkeerd; sessies beëindigd"


@command(None, "token")
@click.argument("username")
@click.option("--naam", "name", default="api", show_default=True, help="Waarvoor het token is.")
@click.option("--dagen", "valid_days", type=int, default=None, help="Geldigheid in dagen (standaard onbeperkt).")
def token(wp: Werkpad, username: str, name: str, valid_days: int | None) -> tuple[Any, str]:
    """Maak een API-token voor USERNAME (wordt één keer getoond)."""
    result = Accounts(wp).create_token(username, name, valid_days)
    click.echo(f"token {result['id']} ({result['name']}) voor {result['user']}; bewaar het veilig, "
               "het wordt niet opnieuw getoond", err=True)
    return result, result["token"]


@command(None, "revoke-token")
@click.argument("username")
@click.argument("token_id", type=int)
def revoke_token(wp: Werkpad, username: str, token_id: int) -> tuple[Any, str]:
    """Trek API-token TOKEN_ID van USERNAME in."""
    Accounts(wp).revoke_token(username, token_id)
    return {"user": username, "token": token_id, "revoked": True}, f"token {token_id} ingetrokken"


@command(None, "list")
@click.option("--organisatie", "organisation", default=None)
def list_users(wp: Werkpad, organisation: str | None) -> tuple[Any, str]:
    """Toon gebruikers met hun rollen."""
    result = Accounts(wp).list_users(organisation)
    return result, "\n".join(_describe(user) for user in result) or "geen gebruikers"
