"""Jinja filters: Dutch dates, durations and labels."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date, format_datetime, gettext, ngettext

from engine import clock
from engine.accounts import ROLE_LABELS
from engine.bsn import mask_bsn

from .i18n import N_

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
}
MESSAGE_LABELS = {
    "aanvraag_ingetrokken": N_("Aanvraag ingetrokken"),
    "werk_gevonden": N_("Werk gevonden"),
    "bezwaar_ontvangen": N_("Bezwaar ontvangen"),
    "maatregel_opleggen": N_("Maatregel overwegen"),
    "ontheffing_aangevraagd": N_("Ontheffing aangevraagd (alleenstaande ouder)"),
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
