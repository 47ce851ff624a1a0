"""``werkpad users``: create users, list them, grant roles, block accounts.

    werkpad users create kees --naam "Kees de Vries"          (asks for the password)
    werkpad users grant kees voorbeeldstad consultant --lane inkomensconsulent
    werkpad users grant tineke voorbeeldstad teamleider
    werkpad users block kees          (everywhere; ends every session at once)
    werkpad users block kees --organisatie tilburg     (in one organisation only)
    werkpad users list [--organisatie voorbeeldstad] [--json]
    werkpad users token kees --naam koppeling      (prints a bearer token for /api/v1 once)
    werkpad users revoke-token kees 3
    werkpad users trail [--persoon kees] [--organisatie tilburg] [--json]
    werkpad users verify              (checks the account trail's hash chain)

``werkpad users organisation ijmond_werkt --naam "IJmond Werkt!" --soort regionaal``
creates or renames an organisation.
"""
from __future__ import annotations

import getpass
import json
import sys
from functools import wraps

import click

from ..app.accounts import ORGANISATION_KINDS, ROLES, Accounts
from ..errors import WerkpadError


def _accounts(ctx_obj) -> Accounts:
    return Accounts(ctx_obj())


def _actor() -> str:
    """Who acts from the command line, for the account trail: ``cli:<login name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "onbekend"
    return f"cli:{name}"[:100]


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
    if user.get("blocked_in"):
        state += f" [geblokkeerd in {', '.join(user['blocked_in'])}]"
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
    user = _accounts(ctx_obj).create_user(username, password, display_name, email, actor=_actor())
    click.echo(f"gebruiker {user['username']} aangemaakt")


@users.command("grant")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None, help="Verplicht voor een consulent: de lane/rol in het proces.")
@click.option("--door", "granted_by", default=None, help="Wie de rol toekent (standaard cli:<je inlognaam>).")
@click.pass_obj
@_handle
def grant(ctx_obj, username: str, organisation: str, role: str, lane: str | None, granted_by: str | None) -> None:
    """Geef USERNAME de rol ROLE in ORGANISATION."""
    user = _accounts(ctx_obj).grant(username, organisation, role, lane, granted_by=granted_by or _actor())
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
    user = _accounts(ctx_obj).revoke(username, organisation, role, lane, actor=_actor())
    click.echo(_describe(user))


@users.command("block")
@click.argument("username")
@click.option("--opheffen", "undo", is_flag=True, help="Blokkade opheffen.")
@click.option("--organisatie", "organisation", default=None,
              help="Alleen in deze organisatie (de rollen elders blijven werken).")
@click.pass_obj
@_handle
def block(ctx_obj, username: str, undo: bool, organisation: str | None) -> None:
    """Blokkeer USERNAME (overal, of met --organisatie in één organisatie)."""
    acc = _accounts(ctx_obj)
    where = f" in {organisation}" if organisation else ""
    if undo:
        acc.unblock(username, organisation, actor=_actor())
        click.echo(f"blokkade van {username}{where} opgeheven")
    else:
        acc.block(username, organisation, actor=_actor())
        click.echo(f"{username} geblokkeerd{where}" + ("" if organisation else "; sessies beëindigd"))


@users.command("token")
@click.argument("username")
@click.option("--naam", "name", default="api", show_default=True, help="Waarvoor het token is.")
@click.option("--dagen", "valid_days", type=int, default=None, help="Geldigheid in dagen (standaard onbeperkt).")
@click.pass_obj
@_handle
def token(ctx_obj, username: str, name: str, valid_days: int | None) -> None:
    """Maak een API-token voor USERNAME (wordt één keer getoond)."""
    result = _accounts(ctx_obj).create_token(username, name, valid_days, actor=_actor())
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
    _accounts(ctx_obj).revoke_token(username, token_id, actor=_actor())
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


@users.command("reset-password")
@click.argument("username")
@click.pass_obj
@_handle
def reset_password(ctx_obj, username: str) -> None:
    """Maak een tijdelijk wachtwoord voor USERNAME (één keer getoond; bij inloggen wijzigen)."""
    click.echo(_accounts(ctx_obj).reset_password(username, actor=_actor()))
    click.echo(f"tijdelijk wachtwoord voor {username}; het moet bij de volgende keer inloggen "
               "worden gewijzigd", err=True)


@users.command("trail")
@click.option("--persoon", "person", default=None, help="Alleen wijzigingen aan of door deze gebruiker.")
@click.option("--organisatie", "organisation", default=None)
@click.option("--van", "since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Vanaf datum (JJJJ-MM-DD).")
@click.option("--tot", "until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Tot en met datum.")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
@_handle
def trail(ctx_obj, person: str | None, organisation: str | None, since, until, as_json: bool) -> None:
    """Toon het accountspoor: wie wat wanneer aan welk account veranderde (nieuwste eerst)."""
    from ..app.account_trail import list_trail
    from ..core import clock

    rows = list_trail(ctx_obj().db, [organisation] if organisation else None, person=person,
                      since=since.date() if since else None, until=until.date() if until else None)
    if as_json:
        click.echo(json.dumps([{**r, "at": clock.iso(r["at"])} for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        when = r["at"].astimezone(clock.AMSTERDAM).strftime("%d-%m-%Y %H:%M")
        extra = ", ".join(f"{k} {v}" for k, v in r["details"].items())
        click.echo(f"{r['seq']:>5} {when} {r['actor']:<16} {r['action_label']:<28} {r['subject']:<16} "
                   f"{r['organisation'] or '':<14} {extra}".rstrip())


@users.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def verify(ctx_obj, as_json: bool) -> None:
    """Controleer de hashketen van het accountspoor; exit 1 als iets niet klopt."""
    from ..app.account_trail import verify_trail

    result = verify_trail(ctx_obj().db)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(account_trail_words(result))
    if not result["ok"]:
        sys.exit(1)


def account_trail_words(result: dict) -> str:
    """The verdict on the account trail in one or more lines (also used by ``audit verify``)."""
    if result["ok"]:
        return f"accountspoor in orde: {result['records']} wijzigingen"
    return "accountspoor NIET in orde:\n" + "\n".join(f"  {f['reason']}" for f in result["findings"])
