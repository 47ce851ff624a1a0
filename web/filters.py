"""Jinja filters: Dutch dates, durations and labels."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_date as babel_format_date
from flask import current_app, g
from flask_babel import format_date, format_datetime, get_locale, gettext, ngettext

from engine import clock
from engine.app.accounts import ROLE_LABELS
from engine.app.inbox import due_mark
from engine.app.repository import cancel_reason, reason_in_words
from engine.core import findings
from engine.core.bsn import mask_bsn
from engine.core.forms import FormRegistry
from engine.errors import NotFound

from .formulieren import write_date
from .i18n import N_, translate

PHASE_LABELS = {
    "poort": N_("Poort"),
    "inspanningsperiode": N_("Inspanningsperiode"),
    "diagnose": N_("Diagnose"),
    "traject": N_("Traject"),
    "nazorg": N_("Nazorg"),
}
STATUS_LABELS = {
    "running": N_("Lopend"),
    "waiting": N_("Lopend (wacht op termijn of bericht)"),
    "completed": N_("Afgesloten"),
    "withdrawn": N_("Ingetrokken"),
    "error": N_("In fout"),
}
EVENT_LABELS = {
    "case_started": N_("Zaak gestart (melding)"),
    "task_completed": N_("Taak afgerond"),
    "task_claimed": N_("Taak opgepakt"),
    "task_unclaimed": N_("Taak vrijgegeven"),
    "task_assigned": N_("Taak toegewezen"),
    "timer_fired": N_("Termijn verstreken"),
    "message_received": N_("Bericht ontvangen"),
    "note_added": N_("Notitie"),
    "engine_error": N_("Fout in het proces"),
    "case_resumed": N_("Zaak hervat na fout"),
    "case_closed_in_error": N_("Zaak gesloten na fout"),
    "version_migrated": N_("Overgezet op een nieuwe procesversie"),
    "engine_versions_changed": N_("Andere versie van Werkpad"),
    "beslissing": N_("Beslistabel toegepast"),
}
MESSAGE_LABELS = {
    "aanvraag_ingetrokken": N_("Aanvraag ingetrokken"),
    "werk_gevonden": N_("Werk gevonden"),
    "bezwaar_ontvangen": N_("Bezwaar ontvangen"),
    "maatregel_opleggen": N_("Maatregel overwegen"),
    "ontheffing_aangevraagd": N_("Ontheffing aangevraagd (alleenstaande ouder)"),
    "verdaging": N_("Beslistermijn verdagen (Awb 4:14)"),
    "plaats_vrij": N_("Plaats vrijgekomen"),
    "opschorting": N_("Beslistermijn opgeschort (Awb 4:15)"),
    "stukken_ontvangen": N_("Stukken ontvangen"),
}


def _moment(value) -> datetime | None:
    return None if value is None or value == "" else clock.moment(value)


def datum(value) -> str:
    moment = _moment(value)
    return _day_text(moment.astimezone(clock.AMSTERDAM).date(), str(get_locale())) if moment else ""


@lru_cache(maxsize=4096)
def _day_text(day: date, locale: str) -> str:
    """A calendar day in words ("3 mrt 2026"): Babel directly, once per day and language (a
    list of 50 cases asked Flask-Babel's format_date 100 times, a third of the page's time)."""
    return babel_format_date(day, "d MMM yyyy", locale=locale)


def datumtijd(value) -> str:
    moment = _moment(value)
    return format_datetime(moment, "d MMM yyyy HH:mm") if moment else ""


def _at_midnight(moment: datetime) -> bool:
    """A deadline "by 20 dec" is armed for the start of that day, in Amsterdam: "00:00" only adds noise."""
    local = moment.astimezone(clock.AMSTERDAM)
    return (local.hour, local.minute, local.second) == (0, 0, 0)


def tijdstip(value) -> str:
    """A timer's moment: the day alone when it falls at midnight, else the day and the time."""
    moment = _moment(value)
    if moment is None:
        return ""
    return datum(moment) if _at_midnight(moment) else datumtijd(moment)


def duur(value) -> str:
    """A waiting time in days (or hours when under a day)."""
    if value is None:
        return ""
    if not isinstance(value, timedelta):
        value = timedelta(seconds=float(value))
    if value.days >= 1:
        return ngettext("%(num)s dag", "%(num)s dagen", value.days)
    hours = max(0, int(value.total_seconds() // 3600))
    return ngettext("%(num)s uur", "%(num)s uur", hours)


def termijn(value) -> str | None:
    """``te_laat`` / ``deze_week`` / None for a deadline, the same marking as the inbox."""
    moment = _moment(value)
    return due_mark(moment, clock.now()) if moment else None


def termijnen(tasks, timers) -> list[dict]:
    """The case's deadlines (open tasks' due dates and running timers), earliest first, each marked."""
    out = [{"due": _moment(t["due"]), "name": t["name"], "kind": "taak"} for t in tasks if t.get("due")]
    out += [{"due": _moment(t["due"]), "name": t["name"], "kind": "timer"} for t in timers or [] if t.get("due")]
    out.sort(key=lambda item: item["due"])
    for item in out:
        item["mark"] = due_mark(item["due"], clock.now()) if item["kind"] == "taak" else None
    return out


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")  # a date or moment


def lange_datum(value) -> str:
    """A day as people write it out ("13 augustus 2026")."""
    if value in (None, ""):
        return ""
    return format_date(clock.to_utc(value).astimezone(clock.AMSTERDAM), "d MMMM yyyy")


def lange_datumtijd(value) -> str:
    """A moment as people write it out, in Amsterdam time ("13 augustus 2026 10:15")."""
    if value in (None, ""):
        return ""
    moment = clock.to_utc(value).astimezone(clock.AMSTERDAM)
    return format_date(moment, "d MMMM yyyy") + " " + moment.strftime("%H:%M")


def lange_tijdstip(value) -> str:
    """A timer's moment written out: the day alone at midnight (as :func:`tijdstip`), else day and time."""
    if value in (None, ""):
        return ""
    return lange_datum(value) if _at_midnight(clock.to_utc(value)) else lange_datumtijd(value)


def waarde(value) -> str:
    """A case fact for people: ja/nee, dates written out, a list of choices joined, "—" for nothing."""
    if value is True:
        return gettext("ja")
    if value is False:
        return gettext("nee")
    if value is None or value == "":
        return "—"
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return ", ".join(waarde(v) for v in value) if value else "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return lange_datum(value) if len(value) == 10 else lange_datumtijd(value)
        except ValueError:
            return value
    return str(value)


SYSTEM_ACTORS = {
    "system": N_("Werkpad"),
    "system:timer": N_("Werkpad (termijn verstreken)"),
    "demo": N_("Werkpad (demo)"),
}


OPERATOR_PREFIXES = findings.OPERATOR_PREFIXES  # the server's operator (engine/cli acting, engine/cli/users)


def is_operator(username: str | None) -> bool:
    return bool(username) and str(username).startswith(OPERATOR_PREFIXES)


def persoon(username: str | None) -> str:
    """A person's name instead of their user name (Werkpad itself for the engine's actors, the
    server's operator in words)."""
    from .security import accounts

    if not username:
        return ""
    if username in SYSTEM_ACTORS:
        return gettext(SYSTEM_ACTORS[username])
    if is_operator(username):
        return gettext("Beheerder van de server (account %(account)s)", account=username.split(":", 1)[1])
    cache = g.setdefault("person_names", {})
    if username not in cache:
        try:
            cache[username] = accounts().get_user(username)["display_name"]
        except NotFound:  # an account that no longer exists: show what was recorded
            cache[username] = username
    return cache[username]


def use_field_words(version_hash: str | None) -> None:
    """This request shows case data of process version ``version_hash``: its fields are called as
    that version calls them (``veldnaam``, ``veldwaarde``)."""
    g.veldwoorden = current_app.extensions["werkpad"].field_words(version_hash)


def _field_words(version: str | None) -> dict:
    """The words of ``version``'s fields (read once per request), else those of the case's version."""
    if not version:
        return g.get("veldwoorden", {})
    cache = g.setdefault("veldwoorden_per_versie", {})
    if version not in cache:
        cache[version] = current_app.extensions["werkpad"].field_words(version)
    return cache[version]


def veldnaam(key: str, version: str | None = None) -> str:
    """A field as its process version calls it ("Loonwaarde (% WML)"), else its name in words.
    ``version``: the version in effect when the data was written (a case's history may span versions)."""
    return FormRegistry.field_title(_field_words(version), key)


def veldwaarde(value: Any, key: str, version: str | None = None) -> str:
    """A field's value as people read it: a choice by its label ("Maatschappelijke opvang"), the rest
    as ``waarde`` writes it."""
    choice = FormRegistry.choice_text(_field_words(version), key, value)
    return choice if choice is not None else waarde(value)


def vervallen(cancelled: dict, event: dict) -> str:
    """What the engine cancelled in ``event`` and why, in the reader's language: "Termijn 'Beslistermijn
    verstreken' vervallen: taak 'Besluit op aanvraag' afgerond". The words come from the event itself; the
    reason the event recorded (Dutch) is the fallback for a kind this does not know."""
    name = cancelled.get("name") or cancelled.get("spec") or ""
    what = (gettext("Termijn '%(naam)s' vervallen", naam=name) if cancelled.get("kind") == "timer"
            else gettext("Taak '%(naam)s' vervallen", naam=name))
    kind, payload = event.get("type"), event.get("payload") or {}
    reason = cancel_reason(str(kind), payload)
    if reason is None:  # a kind of event this does not know: the reason it recorded
        why = str(cancelled.get("reason") or "")
    elif "bericht" in reason.params:  # the message by its label, as the timeline names it
        message = reason.params["bericht"]
        why = gettext(reason.template, bericht=gettext(MESSAGE_LABELS.get(message, message)))
    else:
        why = translate(reason)
    return f"{what}: {why}" if why else what


def zaakstatus(status: str | None, error: str | None = None) -> str:
    """A case's status in words; a case the teamleider closed because it stayed in error (withdrawn,
    with its fault on record) is "Gesloten na fout", not "Ingetrokken": the client withdrew nothing."""
    if findings.closed_after_error(status, error):
        return gettext("Gesloten na fout")
    return gettext(STATUS_LABELS.get(status or "", status or ""))


def versienummer(version_hash: str | None, process_key: str | None) -> str:
    """A version of a process as the designer's screens number it ("versie 2"), read once per request."""
    cache = g.setdefault("versienummers", {})
    if process_key not in cache:
        cache[process_key] = current_app.extensions["werkpad"].version_numbers(process_key) if process_key else {}
    number = cache[process_key].get(version_hash or "")
    return gettext("versie %(n)s", n=number) if number else gettext("een onbekende versie")


def gemeente(key: str | None) -> str:
    """A municipality as people write it ('s-Hertogenbosch, Súdwest-Fryslân), from processes/gemeenten.json."""
    return current_app.extensions["werkpad"].municipality_name(key) if key else ""


def register_filters(app) -> None:
    from .i18n import translate

    app.jinja_env.filters["vertaal"] = translate  # engine messages (Msg) in the user's language
    app.jinja_env.filters.update(
        datum=datum, datumtijd=datumtijd, tijdstip=tijdstip, termijnen=termijnen, duur=duur, bsn_masker=mask_bsn,
        fase=lambda v: gettext(PHASE_LABELS.get(v, v or "—")),
        zaakstatus=zaakstatus,
        gebeurtenis=lambda v: gettext(EVENT_LABELS.get(v, v)),
        bericht=lambda v: gettext(MESSAGE_LABELS.get(v, v)),
        rol=lambda v: gettext(ROLE_LABELS.get(v, v)),
        termijn=termijn, waarde=waarde, persoon=persoon, gemeente=gemeente, lange_datum=lange_datum,
        lange_datumtijd=lange_datumtijd, lange_tijdstip=lange_tijdstip, veldnaam=veldnaam, veldwaarde=veldwaarde,
        reden=reason_in_words,  # why a case went into error, in words (also for reasons stored long ago)
        versienummer=versienummer, invoerdatum=write_date, vervallen=vervallen,
    )
