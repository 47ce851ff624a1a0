"""``werkpad users``: create users, list them, grant roles, block accounts.

    werkpad users create kees --naam "Kees de Vries"          (asks for the password)
    werkpad users grant kees voorbeeldstad consultant --lane inkomensconsulent
    werkpad users grant tineke voorbeeldstad teamleider
    werkpad users block kees          (ends every session at once)
    werkpad users list [--organisatie voorbeeldstad] [--json]
    werkpad users token kees --naam koppeling      (prints a bearer token for /api/v1 once)
    werkpad users revoke-token kees 3

``werkpad users organisation ijmond_werkt --naam "IJmond Werkt!" --soort regionaal``
creates or renames an organisation.
"""
from __future__ import annotations

import json
import sys
from functools import wraps

import click

from ..app.accounts import ORGANISATION_KINDS, ROLES, Accounts
from ..errors import WerkpadError


def _accounts(ctx_obj) -> Accounts:
    return Accounts(ctx_obj())


def _handle(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except WerkpadError as exc:
            fields = getattr(exc, "fields", None) or {}
            extra = (" — " + "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())) if fields else ""
            click.echo(f"fout: {exc.message}{extra}", err=True)
            sys.exit(1)
    return wrapper


def _describe(user: dict) -> str:
    roles = ", ".join(f"{r['role']}{'/' + r['lane'] if r['lane'] else ''}@{r['organisation']}" for r in user["roles"])
    state = " [geblokkeerd]" if user["blocked"] else ""
    return f"{user['username']:<16} {user['display_name']:<28} {roles or '(geen rollen)'}{state}"


@click.group("users")
def users() -> None:
    """Gebruikers, organisaties en rollen beheren."""


@users.command("organisation")
@click.argument("key")
@click.option("--naam", "name", default=None, help="Weergavenaam, bijvoorbeeld 'Gemeente Tilburg'.")
@click.option("--soort", "kind", type=click.Choice(ORGANISATION_KINDS), default="gemeente", show_default=True)
@click.option("--rsin", default=None, help="RSIN van de organisatie (9 cijfers, elfproef); bronorganisatie in de "
                                           "ZGW-export.")
@click.pass_obj
@_handle
def organisation(ctx_obj, key: str, name: str | None, kind: str, rsin: str | None) -> None:
    """Maak organisatie KEY aan (of werk haar bij)."""
    org = _accounts(ctx_obj).create_organisation(key, name or key, kind, rsin)
    click.echo(f"organisatie {org['key']} ({org['name']}, {org['kind']}"
               f"{', RSIN ' + org['rsin'] if org['rsin'] else ''})")


@users.command("create")
@click.argument("username")
@click.option("--naam", "display_name", default=None, help="Volledige naam.")
@click.option("--email", default=None)
@click.option("--wachtwoord", "password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="WERKPAD_NEW_PASSWORD", help="Wordt gevraagd als het ontbreekt.")
@click.pass_obj
@_handle
def create(ctx_obj, username: str, display_name: str | None, email: str | None, password: str) -> None:
    """Maak gebruiker USERNAME aan."""
    user = _accounts(ctx_obj).create_user(username, password, display_name, email)
    click.echo(f"gebruiker {user['username']} aangemaakt")


@users.command("grant")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None, help="Verplicht voor een consulent: de lane/rol in het proces.")
@click.option("--door", "granted_by", default="cli", help="Wie de rol toekent (voor het logboek).")
@click.pass_obj
@_handle
def grant(ctx_obj, username: str, organisation: str, role: str, lane: str | None, granted_by: str) -> None:
    """Geef USERNAME de rol ROLE in ORGANISATION."""
    user = _accounts(ctx_obj).grant(username, organisation, role, lane, granted_by=granted_by)
    click.echo(_describe(user))


@users.command("revoke")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None)
@click.pass_obj
@_handle
def revoke(ctx_obj, username: str, organisation: str, role: str, lane: str | None) -> None:
    """Neem een rol van USERNAME in ORGANISATION weer af."""
    user = _accounts(ctx_obj).revoke(username, organisation, role, lane)
    click.echo(_describe(user))


@users.command("block")
@click.argument("username")
@click.option("--opheffen", "undo", is_flag=True, help="Blokkade opheffen.")
@click.pass_obj
@_handle
def block(ctx_obj, username: str, undo: bool) -> None:
    """Blokkeer USERNAME; lopende sessies eindigen direct."""
    acc = _accounts(ctx_obj)
    if undo:
        acc.unblock(username)
        click.echo(f"blokkade van {username} opgeheven")
    else:
        acc.block(username)
        click.echo(f"{username} geblokkeerd; sessies beëindigd")


@users.command("token")
@click.argument("username")
@click.option("--naam", "name", default="api", show_default=True, help="Waarvoor het token is.")
@click.option("--dagen", "valid_days", type=int, default=None, help="Geldigheid in dagen (standaard onbeperkt).")
@click.pass_obj
@_handle
def token(ctx_obj, username: str, name: str, valid_days: int | None) -> None:
    """Maak een API-token voor USERNAME (wordt één keer getoond)."""
    result = _accounts(ctx_obj).create_token(username, name, valid_days)
    click.echo(result["token"])
    click.echo(f"token {result['id']} ({result['name']}) voor {result['user']}; bewaar het veilig, "
               "het wordt niet opnieuw getoond", err=True)


@users.command("revoke-token")
@click.argument("username")
@click.argument("token_id", type=int)
@click.pass_obj
@_handle
def revoke_token(ctx_obj, username: str, token_id: int) -> None:
    """Trek API-token TOKEN_ID van USERNAME in."""
    _accounts(ctx_obj).revoke_token(username, token_id)
    click.echo(f"token {token_id} ingetrokken")


@users.command("list")
@click.option("--organisatie", "organisation", default=None)
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
@_handle
def list_users(ctx_obj, organisation: str | None, as_json: bool) -> None:
    """Toon gebruikers met hun rollen."""
    result = _accounts(ctx_obj).list_users(organisation)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for user in result:
        click.echo(_describe(user))
