"""What happens after a consultant completes a task.

* The next open task of the same case, when this user may do it (and nobody else holds
  it): the browser goes straight there.
* Otherwise back to the inbox, with a notice of what happens next: which werkvoorraad
  picks up which task by when, or which deadline the case now waits for, or that the
  case has ended. The notice is built from the case (a logged case view), never from
  text in the URL.
"""
from __future__ import annotations

from flask import current_app, g, url_for
from flask_babel import gettext as _

from engine.app import policy
from engine.app.accounts import Principal
from engine.errors import NotFound

from . import security
from .admin import work_role_name
from .filters import datum, datumtijd


def next_task_for(user: Principal, case: dict) -> dict | None:
    """The earliest-due open task of ``case`` this user may work and that is free or theirs."""
    mine = [t for t in case.get("tasks") or []
            if policy.may_work_task(user, case["organisation"], t.get("lane")) and t.get("claimed_by") in (None, user.username)]
    mine.sort(key=lambda t: (t.get("due") is None, t.get("due") or ""))
    return mine[0] if mine else None


def after_completion(case: dict) -> str:
    """The URL to go to after completing a task of ``case``."""
    task = next_task_for(g.user, case)
    if task is not None:
        return url_for("pages.task_page", task_id=task["id"], melding="volgende")
    return url_for("pages.inbox_page", melding="afgerond", vervolg=case["id"])


def notice(case_id: str | None) -> str | None:
    """The inbox's "what happens next" line for a case the user just worked on."""
    if not case_id or len(case_id) > 32:
        return None
    try:
        security.case_header_logged(case_id, "zaak.vervolg", "Vervolg van de zaak tonen na afronden")
    except NotFound:
        return None
    case = current_app.extensions["werkpad"].get_case(case_id)
    name = case["client"]["name"]
    if case["status"] in ("completed", "withdrawn"):
        return _("De zaak van %(naam)s is afgesloten.", naam=name)
    tasks = sorted(case.get("tasks") or [], key=lambda t: (t.get("due") is None, t.get("due") or ""))
    if tasks:
        parts = []
        for t in tasks:
            who = work_role_name(t.get("lane")) or _("het team")
            text = _("%(taak)s door %(wie)s", taak=t["name"], wie=who)
            if t.get("due"):
                text += " " + _("(uiterlijk %(datum)s)", datum=datum(t["due"]))
            parts.append(text)
        return _("De zaak van %(naam)s gaat verder: %(vervolg)s.", naam=name, vervolg="; ".join(parts))
    timers = sorted(case.get("timers") or [], key=lambda t: t["due"])
    if timers:
        return _("De zaak van %(naam)s wacht nu op: %(termijn)s (%(datum)s).", naam=name, termijn=timers[0]["name"],
                 datum=datumtijd(timers[0]["due"]))
    return _("De zaak van %(naam)s wacht op een bericht.", naam=name)
