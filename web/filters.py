"""Jinja filters: Dutch dates, durations and labels."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date, format_datetime, gettext, ngettext

from engine import clock
from engine.accounts import ROLE_LABELS
from engine.bsn import mask_bsn

PHASE_LABELS = {
    "poort": "Poort",
    "inspanningsperiode": "Inspanningsperiode",
    "diagnose": "Diagnose",
    "traject": "Traject",
    "nazorg": "Nazorg",
}
STATUS_LABELS = {
    "running": "Lopend",
    "waiting": "Lopend (wacht op termijn of bericht)",
    "completed": "Afgesloten",
    "withdrawn": "Ingetrokken",
    "error": "In fout",
}
EVENT_LABELS = {
    "case_started": "Zaak gestart (melding)",
    "task_completed": "Taak afgerond",
    "task_claimed": "Taak opgepakt",
    "task_unclaimed": "Taak vrijgegeven",
    "task_assigned": "Taak toegewezen",
    "timer_fired": "Termijn verstreken",
    "message_received": "Bericht ontvangen",
    "note_added": "Notitie",
    "engine_error": "Fout in het proces",
}
MESSAGE_LABELS = {
    "aanvraag_ingetrokken": "Aanvraag ingetrokken",
    "werk_gevonden": "Werk gevonden",
}


def _moment(value) -> datetime | None:
    if value is None or value == "":
        return None
    return clock.to_utc(value)


def datum(value) -> str:
    moment = _moment(value)
    return format_date(moment.astimezone(clock.AMSTERDAM), "d MMM yyyy") if moment else ""


def datumtijd(value) -> str:
    moment = _moment(value)
    return format_datetime(moment, "d MMM yyyy HH:mm") if moment else ""


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


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        datum=datum, datumtijd=datumtijd, duur=duur, bsn_masker=mask_bsn,
        fase=lambda v: gettext(PHASE_LABELS.get(v, v or "—")),
        zaakstatus=lambda v: gettext(STATUS_LABELS.get(v, v or "")),
        gebeurtenis=lambda v: gettext(EVENT_LABELS.get(v, v)),
        bericht=lambda v: gettext(MESSAGE_LABELS.get(v, v)),
        rol=lambda v: gettext(ROLE_LABELS.get(v, v)),
    )
