"""Reads of clients' cases from the command line, checked and logged as the web does.

The pages and the API write an access-log row for every answer that shows a case (a
case's header first: ``web/security.py`` ``case_header_logged``, ``web/audit.py``
``_case_logged``). The CLI's reads — ``case show``, ``case history``, ``case replay``,
``case export`` and ``tasks`` — go through :class:`CaseReads` with the same rules:

* a person (``--user``) reads a case of an organisation where they may read cases
  (:meth:`Principal.case_organisations`, the inbox's scope); replay and export are an
  auditor's (the auditor's pages), so there the organisations they audit. Any other
  case is *not found* with the same words as a missing one, logged ``niet_gevonden``
  with nothing of the case but its id (nothing of a case they cannot read lands in
  their records); someone who audits nowhere is refused (``geweigerd``), as the web's
  auditor pages answer 403;
* the server's operator (:class:`SystemActor` ``beheer:<account>``) reads every case;
  their reads are logged as well, under that name;
* the ``ok`` rows are written after the data is read and *before* it is shown. When
  they cannot be written the command shows nothing (:class:`AccessLogUnavailable`):
  the web does the same, its rows are written before the answer leaves, and a
  failure there turns the answer into an error page.

A list (``tasks`` without ``--case``, ``retention list``) or a check of every case (``audit
verify``, the operator's) is one row per organisation whose cases it shows (no case, no data
subject), so each organisation's auditor finds it; the web's check of an organisation is one
row too.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..core.messages import Msg
from ..errors import AccessLogUnavailable, Forbidden, NotFound
from ..storage import CaseRow, Database
from . import policy
from .accounts import Principal
from .acting import Access, AccessLog, Actor, RequestContext

# what the operator's and the auditor's reads are for (web/audit.py: the same activity)
AUDIT_ACTIVITY = "toezicht-en-verantwoording"
_CHUNK = 500


class CaseReads:
    def __init__(self, db: Database, access_log: AccessLog) -> None:
        self.db = db
        self.access_log = access_log

    def case(self, actor: Actor, context: RequestContext, case_id: str, auditing: bool = False) -> Access:
        """What the access log records of ``case_id`` (organisation, case, data subject) when
        ``actor`` may read it; otherwise the refusal is logged and NotFound or Forbidden raised."""
        organisations: list[str] | None = None  # the operator: every case
        if isinstance(actor, Principal):
            organisations = (policy.access_log_organisations(actor) if auditing
                             else actor.case_organisations())
            if auditing and not organisations:
                self._write(actor, context, "geweigerd", [Access()])
                raise Forbidden(Msg("Alleen een auditor van de organisatie controleert of exporteert een zaak."))
        with self.db.unit_of_work(write=False) as uow:
            row = uow.session.get(CaseRow, case_id) if case_id and len(case_id) <= 32 else None
            if row is not None and (organisations is None or row.organisation in organisations):
                return Access(row.organisation, row.id, None, row.bsn)
        self._write(actor, context, "niet_gevonden", [Access(case_id=(case_id or "")[:32])])
        raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))

    def organisations(self, actor: Actor) -> list[str] | None:
        """The organisations whose tasks ``actor`` may list; None for every one (the operator)."""
        return actor.case_organisations() if isinstance(actor, Principal) else None

    def shown(self, actor: Actor, context: RequestContext, accesses: Iterable[Access]) -> None:
        """The ``ok`` rows of what is about to be shown, in one transaction."""
        self._write(actor, context, "ok", list(accesses))

    def listed(self, actor: Actor, context: RequestContext, case_ids: Iterable[str]) -> None:
        """The ``ok`` rows of a list of these cases' data: one per organisation among them
        (one without an organisation when the list is empty: the command is recorded)."""
        ids = sorted(set(case_ids))
        found: set[str] = set()
        with self.db.unit_of_work(write=False) as uow:
            for start in range(0, len(ids), _CHUNK):
                found.update(uow.session.scalars(select(CaseRow.organisation).distinct()
                                                 .where(CaseRow.id.in_(ids[start:start + _CHUNK]))))
        self.per_organisation(actor, context, found)

    def per_organisation(self, actor: Actor, context: RequestContext, organisations: Iterable[str]) -> None:
        """The ``ok`` rows of a list or a check over many cases: one per organisation (one without an
        organisation when there is none: the command is recorded)."""
        self.shown(actor, context, [Access(organisation=o) for o in sorted(set(organisations))] or [Access()])

    def every_case(self, actor: Actor, context: RequestContext) -> None:
        """The ``ok`` rows of a check over every case in the database (``audit verify``)."""
        with self.db.unit_of_work(write=False) as uow:
            found = set(uow.session.scalars(select(CaseRow.organisation).distinct()))
        self.per_organisation(actor, context, found)

    def _write(self, actor: Actor, context: RequestContext, status: str, accesses: list[Access]) -> None:
        try:
            with self.db.unit_of_work() as uow:
                for access in accesses:
                    self.access_log.add(uow, actor, context, status, access)
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - whatever stops the row, nothing is shown without it
            raise AccessLogUnavailable(Msg("Het logboek dataverwerkingen kan niet worden bijgewerkt "
                                           "(%(reason)s); er wordt niets getoond.",
                                           reason=type(exc).__name__)) from exc
