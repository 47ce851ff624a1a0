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
Every command has ``--json``. The ``users`` group in :mod:`engine.cli` loads these
commands when they are run. Who acts from the command line is recorded in the account trail as
``cli:<login name>``.
"""
from __future__ import annotations

import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from ..app.accounts import ORGANISATION_KINDS, ROLES, Accounts
from . import acting, command

if TYPE_CHECKING:
    from ..app import Werkpad


def _actor() -> str:
    """Who acts from the command line, for the account trail: ``cli:<login name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "onbekend"
    return f"cli:{name}"[:100]


ADMIN = "gebruikersbeheer"  # the processing activity, as on the beheerder's pages (web/admin.py)


def _log(wp: Werkpad, who_and_context: tuple, target: str, organisation: str | None = None,
         details: dict | None = None) -> None:
    """The access-log row of an account command, as the beheerder's pages write one: who acted
    (the server's operator), on whom, and in which organisation."""
    from ..app.acting import Access

    operator, context = who_and_context
    wp.access_log.write(operator, context, "ok", Access(organisation, None, None, None),
                        dict(details or {}, gebruiker=target))


def _note(wp: Werkpad, operation: str, purpose: str, organisation: str | None = None,
          details: dict | None = None) -> Any:
    """The access-log row of an account change by the operator, written in the change's own
    transaction (the command adds whom it was about)."""
    from ..app.acting import AccessNote

    operator, context = acting(wp, None, operation, purpose, ADMIN)
    return AccessNote(operator, context, organisation, dict(details or {}))


def _describe(user: dict) -> str:
    roles = ", ".join(f"{r['role']}{'/' + r['lane'] if r['lane'] else ''}@{r['organisation']}" for r in user["roles"])
    state = " [geblokkeerd]" if user["blocked"] else ""
    if user.get("blocked_in"):
        state += f" [geblokkeerd in {', '.join(user['blocked_in'])}]"
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
    user = Accounts(wp).create_user(username, password, display_name, email, actor=_actor(),
                                    note=_note(wp, "beheer.gebruiker_aanmaken", "Gebruiker aanmaken"))
    return user, f"gebruiker {user['username']} aangemaakt"


@command(None, "grant")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None, help="Verplicht voor een consulent: de lane/rol in het proces.")
@click.option("--door", "granted_by", default=None, help="Wie de rol toekent (standaard cli:<je inlognaam>).")
def grant(wp: Werkpad, username: str, organisation: str, role: str, lane: str | None,
          granted_by: str | None) -> tuple[Any, str]:
    """Geef USERNAME de rol ROLE in ORGANISATION."""
    user = Accounts(wp).grant(username, organisation, role, lane, granted_by=granted_by or _actor(),
                              note=_note(wp, "beheer.rol_toekennen", "Rol toekennen", organisation,
                                         {"rol": role, "werkvoorraad": lane}))
    return user, _describe(user)


@command(None, "revoke")
@click.argument("username")
@click.argument("organisation")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--lane", default=None)
def revoke(wp: Werkpad, username: str, organisation: str, role: str, lane: str | None) -> tuple[Any, str]:
    """Neem een rol van USERNAME in ORGANISATION weer af."""
    user = Accounts(wp).revoke(username, organisation, role, lane, actor=_actor(),
                               note=_note(wp, "beheer.rol_intrekken", "Rol intrekken", organisation,
                                          {"rol": role, "werkvoorraad": lane}))
    return user, _describe(user)


@command(None, "block")
@click.argument("username")
@click.option("--opheffen", "undo", is_flag=True, help="Blokkade opheffen.")
@click.option("--organisatie", "organisation", default=None,
              help="Alleen in deze organisatie (de rollen elders blijven werken).")
def block(wp: Werkpad, username: str, undo: bool, organisation: str | None) -> tuple[Any, str]:
    """Blokkeer USERNAME (overal, of met --organisatie in één organisatie)."""
    acc = Accounts(wp)
    where = f" in {organisation}" if organisation else ""
    result = {"user": username, "organisation": organisation, "blocked": not undo}
    if undo:
        acc.unblock(username, organisation, actor=_actor(),
                    note=_note(wp, "beheer.deblokkeren", "Account deblokkeren", organisation))
        return result, f"blokkade van {username}{where} opgeheven"
    acc.block(username, organisation, actor=_actor(),
              note=_note(wp, "beheer.blokkeren", "Account blokkeren", organisation))
    return result, f"{username} geblokkeerd{where}" + ("" if organisation else "; sessies beëindigd")


@command(None, "token")
@click.argument("username")
@click.option("--naam", "name", default="api", show_default=True, help="Waarvoor het token is.")
@click.option("--dagen", "valid_days", type=int, default=None, help="Geldigheid in dagen (standaard onbeperkt).")
def token(wp: Werkpad, username: str, name: str, valid_days: int | None) -> tuple[Any, str]:
    """Maak een API-token voor USERNAME (wordt één keer getoond)."""
    result = Accounts(wp).create_token(username, name, valid_days, actor=_actor(),
                                       note=_note(wp, "beheer.token_uitgeven", "API-token uitgeven"))
    click.echo(f"token {result['id']} ({result['name']}) voor {result['user']}; bewaar het veilig, "
               "het wordt niet opnieuw getoond", err=True)
    return result, result["token"]


@command(None, "revoke-token")
@click.argument("username")
@click.argument("token_id", type=int)
def revoke_token(wp: Werkpad, username: str, token_id: int) -> tuple[Any, str]:
    """Trek API-token TOKEN_ID van USERNAME in."""
    Accounts(wp).revoke_token(username, token_id, actor=_actor(),
                              note=_note(wp, "beheer.token_intrekken", "API-token intrekken"))
    return {"user": username, "token": token_id, "revoked": True}, f"token {token_id} ingetrokken"


@command(None, "list")
@click.option("--organisatie", "organisation", default=None)
def list_users(wp: Werkpad, organisation: str | None) -> tuple[Any, str]:
    """Toon gebruikers met hun rollen."""
    result = Accounts(wp).list_users(organisation)
    _log(wp, acting(wp, None, "beheer.gebruikers_bekijken", "Gebruikers inzien", ADMIN), "*", organisation)
    return result, "\n".join(_describe(user) for user in result) or "geen gebruikers"


@command(None, "reset-password")
@click.argument("username")
def reset_password(wp: Werkpad, username: str) -> tuple[Any, str]:
    """Maak een tijdelijk wachtwoord voor USERNAME (één keer getoond; bij inloggen wijzigen)."""
    password = Accounts(wp).reset_password(username, actor=_actor(),
                                           note=_note(wp, "beheer.wachtwoord_herstellen",
                                                      "Tijdelijk wachtwoord instellen"))
    click.echo(f"tijdelijk wachtwoord voor {username}; het moet bij de volgende keer inloggen "
               "worden gewijzigd", err=True)
    return {"user": username, "temporary_password": password}, password


@command(None, "trail")
@click.option("--persoon", "person", default=None, help="Alleen wijzigingen aan of door deze gebruiker.")
@click.option("--organisatie", "organisation", default=None)
@click.option("--van", "since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Vanaf datum (JJJJ-MM-DD).")
@click.option("--tot", "until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Tot en met datum.")
def trail(wp: Werkpad, person: str | None, organisation: str | None, since: Any, until: Any) -> tuple[Any, str]:
    """Toon het accountspoor: wie wat wanneer aan welk account veranderde (nieuwste eerst)."""
    from ..app.account_trail import list_trail
    from ..core import clock

    rows = list_trail(wp.db, [organisation] if organisation else None, person=person,
                      since=since.date() if since else None, until=until.date() if until else None)
    _log(wp, acting(wp, None, "beheer.accountspoor_bekijken", "Accountspoor inzien", ADMIN), person or "*",
         organisation, {"persoon": person})
    lines = []
    for r in rows:
        when = r["at"].astimezone(clock.AMSTERDAM).strftime("%d-%m-%Y %H:%M")
        extra = ", ".join(f"{k} {v}" for k, v in r["details"].items())
        lines.append(f"{r['seq']:>5} {when} {r['actor']:<16} {r['action_label']:<28} {r['subject']:<16} "
                     f"{r['organisation'] or '':<14} {extra}".rstrip())
    return [{**r, "at": clock.iso(r["at"])} for r in rows], "\n".join(lines) or "geen accountwijzigingen"


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
@click.pass_obj
def verify(ctx_obj: Any, as_json: bool) -> None:
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
