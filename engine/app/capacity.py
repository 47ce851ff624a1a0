"""Places are finite: instruments with a number of places per organisation.

A process asks for a place with the script function ``plaats_aanvragen("wep")``. The
:class:`PlaceLedger` of the command answers from the database (one conditional UPDATE of the
counter row, so two people taking the last place at once get one place and one waiting-list
entry) and remembers its answers; the repository writes them into the command's event
(``plaatsen``), and replay answers from there, never from today's occupancy.

A place is held while the client is on the instrument: the user task with the property
``plaats`` naming the instrument. When that task ends (completed or cancelled) or the case
ends, the place is released and the first case on the waiting list gets it, through the
message ``plaats_vrij`` that the engine sends to that case in the same transaction.
Places per week (``"per": "week"``) are never waited for: the first week with room is given.

Places per calendar year (``"per": "jaar"``) count what is *started* in a year, the way a municipality
budgets them: Tilburg commissions 900 re-integratietrajecten a year (seed 003 §4.4). A yearly place
is spent when given and is not given back when the client leaves (the traject was bought); it is
given back only when the case ends before the year of its place has begun. When this year's places
are spent, the first year with room is given, from 1 January (``"vanaf"``), as with weeks. With
``"batch": 50`` the answer also says which batch of the year (per partner when the process names
one: ``plaats_aanvragen("reintegratietraject", None, reintegratiepartner)``) the place falls in and
whether it opens a new batch (``"nieuwe_batch"``): Tilburg's partners are commissioned and paid up
front per batch of 50 trajecten.

The number of places may differ per calendar year: ``"plaatsen": {"2015": 5, "2016": 15}`` (the last
year's number continues; before the first year there are none). With ``"per": "jaar"`` that is the
number of starts in each year; without ``per`` it is the number held at once in that year (a place
held since last year stays held).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select, update

from ..core import clock
from ..core.messages import Msg
from ..errors import ValidationError
from ..storage.capacity_models import CapacityRow, CapacityUseRow, PlacementRow

if TYPE_CHECKING:
    from .repository import Repository

CAPACITY_FILE = "capaciteit.json"
PLACE_FREE_MESSAGE = "plaats_vrij"
CAPACITY_ACTOR = "system:capaciteit"
MAX_WEEKS_AHEAD = 52
MAX_YEARS_AHEAD = 5
PERIODS = (None, "week", "jaar")


def read_capacity_file(folder: Path) -> dict[str, dict]:
    """``{"wep": {"naam": "Werkervaringsplaats", "plaatsen": 140}, "groepsintake": {..., "per": "week"}}``"""
    path = folder / CAPACITY_FILE
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValidationError(Msg("%(name)s/%(CAPACITY_FILE)s is geen geldige JSON: %(exc)s",
                                  name=path.parent.name, CAPACITY_FILE=CAPACITY_FILE, exc=exc)) from exc
    if not isinstance(raw, dict):
        raise ValidationError(Msg("%(name)s/%(CAPACITY_FILE)s: verwacht per instrument een beschrijving",
                                  name=path.parent.name, CAPACITY_FILE=CAPACITY_FILE))
    out: dict[str, dict] = {}
    for instrument, spec in raw.items():
        if instrument.startswith("_"):
            continue  # comments
        out[instrument] = _read_limit(f"{path.parent.name}/{CAPACITY_FILE}", instrument, spec)
    return out


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_limit(where: str, instrument: str, spec: Any) -> dict:
    """One instrument's limit, checked: a clear Dutch message names what is wrong."""
    if not isinstance(spec, dict):
        raise ValidationError(Msg('%(where)s: \'%(instrument)s\' verwacht {"naam": ..., "plaatsen": ...}',
                                  where=where, instrument=instrument))
    places, per, batch = spec.get("plaatsen"), spec.get("per"), spec.get("batch")
    if per not in PERIODS:
        raise ValidationError(Msg('%(where)s: \'%(instrument)s\' heeft "per": "week" of "jaar", of geen '
                                  '"per"', where=where, instrument=instrument))
    schedule = None
    if isinstance(places, dict) and per != "week":
        if not places or not all(len(str(y)) == 4 and str(y).isdigit() and _count(n) for y, n in places.items()):
            raise ValidationError(Msg('%(where)s: \'%(instrument)s\' geeft \'plaatsen\' per jaar als '
                                      '{"2015": 5, "2016": 15} (een jaartal en een geheel aantal ≥ 0)',
                                      where=where, instrument=instrument))
        schedule = {str(y): n for y, n in sorted(places.items())}
        places = schedule[max(schedule)]
    elif not _count(places):
        raise ValidationError(f"{where}: '{instrument}' heeft een geheel aantal 'plaatsen' (≥ 0)"
                              + ("" if per == "week" else " of een aantal per jaar"))
    if batch is not None and (per != "jaar" or not _count(batch) or batch == 0):
        raise ValidationError(Msg('%(where)s: \'%(instrument)s\': een \'batch\' (een geheel aantal ≥ 1) kan '
                                  'alleen bij "per": "jaar"', where=where, instrument=instrument))
    return {"naam": str(spec.get("naam") or instrument), "plaatsen": places, "per": per,
            "per_jaar": schedule, "batch": batch}


def places_in(limit: CapacityRow, year: int) -> int:
    """The instrument's number of places in a calendar year (its schedule, or the fixed number)."""
    if not limit.schedule:
        return limit.places
    schedule = json.loads(limit.schedule)
    years = [y for y in schedule if int(y) <= year]
    return int(schedule[max(years)]) if years else 0


def store_limits(uow, organisation: str, limits: dict[str, dict]) -> None:
    for instrument, spec in limits.items():
        schedule = json.dumps(spec["per_jaar"], sort_keys=True) if spec.get("per_jaar") else None
        row = uow.session.get(CapacityRow, (organisation, instrument))
        if row is None:
            uow.session.add(CapacityRow(organisation=organisation, instrument=instrument, name=spec["naam"],
                                        places=spec["plaatsen"], per=spec["per"], schedule=schedule,
                                        batch=spec.get("batch")))
        else:
            row.name, row.places, row.per = spec["naam"], spec["plaatsen"], spec["per"]
            row.schedule, row.batch = schedule, spec.get("batch")
    uow.flush()


def _week(day: date) -> tuple[str, date]:
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def _ensure_counter(uow, organisation: str, instrument: str, period: str) -> None:
    values = {"organisation": organisation, "instrument": instrument, "period": period, "occupied": 0}
    dialect_insert: Callable[..., Any]
    if uow.session.get_bind().dialect.name == "sqlite":  # each dialect's module is loaded only where it runs
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    uow.session.execute(dialect_insert(CapacityUseRow).values(**values).on_conflict_do_nothing())


def _take(uow, limit: CapacityRow, period: str, places: int | None = None) -> bool:
    """One place more on the counter when there is room (``places``, default the instrument's
    number): True when taken."""
    _ensure_counter(uow, limit.organisation, limit.instrument, period)
    result = uow.session.execute(
        update(CapacityUseRow)
        .where(CapacityUseRow.organisation == limit.organisation, CapacityUseRow.instrument == limit.instrument,
               CapacityUseRow.period == period,
               CapacityUseRow.occupied < (limit.places if places is None else places))
        .values(occupied=CapacityUseRow.occupied + 1).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _count_one(uow, organisation: str, instrument: str, period: str) -> int:
    """One more on a plain counter (no limit, e.g. a partner's trajecten this year): the new count."""
    _ensure_counter(uow, organisation, instrument, period)
    uow.session.execute(
        update(CapacityUseRow)
        .where(CapacityUseRow.organisation == organisation, CapacityUseRow.instrument == instrument,
               CapacityUseRow.period == period)
        .values(occupied=CapacityUseRow.occupied + 1).execution_options(synchronize_session=False))
    return int(uow.session.scalar(select(CapacityUseRow.occupied).where(
        CapacityUseRow.organisation == organisation, CapacityUseRow.instrument == instrument,
        CapacityUseRow.period == period)) or 0)


def _is_year(period: str) -> bool:
    return len(period) == 4 and period.isdigit()


def _give_back(uow, organisation: str, instrument: str, period: str) -> None:
    uow.session.execute(
        update(CapacityUseRow)
        .where(CapacityUseRow.organisation == organisation, CapacityUseRow.instrument == instrument,
               CapacityUseRow.period == period, CapacityUseRow.occupied > 0)
        .values(occupied=CapacityUseRow.occupied - 1).execution_options(synchronize_session=False))


class PlaceLedger:
    """Answers ``plaats_aanvragen`` for one case within one command, and remembers the answers."""

    def __init__(self, uow, case_id: str, organisation: str) -> None:
        self.uow = uow
        self.case_id = case_id
        self.organisation = organisation
        self.decisions: list[dict] = []

    def __call__(self, instrument: str, vanaf: str | None, partij: str | None = None) -> dict:
        answer = self._decide(instrument, vanaf, partij)
        self.decisions.append(answer)
        return answer

    def _decide(self, instrument: str, vanaf: str | None, partij: str | None = None) -> dict:
        uow, now = self.uow, clock.now()
        limit = uow.session.get(CapacityRow, (self.organisation, instrument))
        if limit is None:
            raise ValidationError(Msg("geen capaciteit vastgelegd voor '%(instrument)s' bij "
                                      "%(organisation)s (%(CAPACITY_FILE)s)",
                                      instrument=instrument, organisation=self.organisation,
                                      CAPACITY_FILE=CAPACITY_FILE))
        if limit.per == "jaar":
            return self._decide_year(limit, vanaf, partij)
        if limit.per == "week":
            day = max(clock.local_date(now), date.fromisoformat(vanaf[:10])) if vanaf else clock.local_date(now)
            for _ in range(MAX_WEEKS_AHEAD):
                period, monday = _week(day)
                if _take(uow, limit, period):
                    uow.session.add(PlacementRow(organisation=self.organisation, instrument=instrument,
                                                 period=period, case_id=self.case_id, status="bezet",
                                                 created_at=now, updated_at=now))
                    return {"instrument": instrument, "toegekend": True, "periode": period,
                            "vanaf": max(monday, clock.local_date(now)).isoformat()}
                day = monday + timedelta(days=7)
            return {"instrument": instrument, "toegekend": False, "wachtlijst": 0,
                    "vanaf": clock.local_date(now).isoformat()}
        held = uow.session.scalars(select(PlacementRow).where(
            PlacementRow.case_id == self.case_id, PlacementRow.instrument == instrument,
            PlacementRow.status.in_(("bezet", "wachtlijst")))).first()
        if held is not None and held.status == "bezet":
            return {"instrument": instrument, "toegekend": True}
        if held is None and _take(uow, limit, "", places_in(limit, clock.local_date(now).year)):
            uow.session.add(PlacementRow(organisation=self.organisation, instrument=instrument, period="",
                                         case_id=self.case_id, status="bezet", created_at=now, updated_at=now))
            return {"instrument": instrument, "toegekend": True}
        if held is None:
            held = PlacementRow(organisation=self.organisation, instrument=instrument, period="",
                                case_id=self.case_id, status="wachtlijst", created_at=now, updated_at=now)
            uow.session.add(held)
            uow.flush()
        ahead = len(uow.session.scalars(select(PlacementRow.id).where(
            PlacementRow.organisation == self.organisation, PlacementRow.instrument == instrument,
            PlacementRow.status == "wachtlijst", PlacementRow.id <= held.id)).all())
        return {"instrument": instrument, "toegekend": False, "wachtlijst": ahead}

    def _decide_year(self, limit: CapacityRow, vanaf: str | None, partij: str | None) -> dict:
        """A place among this year's (or the first later year with room), and its batch."""
        uow, now = self.uow, clock.now()
        today = clock.local_date(now)
        first = max(today, date.fromisoformat(vanaf[:10])) if vanaf else today
        partner = str(partij) if partij else ""
        if len(partner) > 40:
            raise ValidationError(Msg("de naam van de partij is te lang (hoogstens 40 tekens)"))
        for year in range(first.year, first.year + MAX_YEARS_AHEAD):
            if not _take(uow, limit, str(year), places_in(limit, year)):
                continue
            uow.session.add(PlacementRow(organisation=self.organisation, instrument=limit.instrument,
                                         period=str(year), case_id=self.case_id, status="bezet",
                                         created_at=now, updated_at=now))
            answer: dict[str, Any] = {"instrument": limit.instrument, "toegekend": True, "periode": str(year),
                                      "vanaf": max(first, date(year, 1, 1)).isoformat()}
            if limit.batch:
                number = _count_one(uow, self.organisation, limit.instrument, f"{year}/{partner}")
                answer["batch"] = (number - 1) // limit.batch + 1
                answer["nieuwe_batch"] = (number - 1) % limit.batch == 0
                if partner:
                    answer["partij"] = partner
            return answer
        return {"instrument": limit.instrument, "toegekend": False, "wachtlijst": 0, "vanaf": first.isoformat()}


class ReplayLedger:
    """The recorded answers, in order: replay never asks today's occupancy."""

    def __init__(self, decisions: list[dict]) -> None:
        self.decisions = list(decisions)

    def __call__(self, instrument: str, vanaf: str | None, partij: str | None = None) -> dict:
        if not self.decisions:
            raise ValidationError(Msg("de geschiedenis bevat geen besluit over een plaats voor "
                                      "'%(instrument)s'", instrument=instrument))
        answer = self.decisions.pop(0)
        if answer.get("instrument") != instrument:
            raise ValidationError(Msg("de geschiedenis besliste over '%(waarde)s', niet '%(instrument)s'",
                                      waarde=answer.get('instrument'), instrument=instrument))
        return answer


def release(repo: Repository, uow, case_id: str, organisation: str, instruments: set[str] | None,
            moment: datetime) -> list[dict]:
    """Give back the case's places (all, or those on ``instruments``) and take it off waiting lists
    (only when all); hand each freed place to the first case waiting for it."""
    query = select(PlacementRow).where(PlacementRow.case_id == case_id,
                                       PlacementRow.status.in_(("bezet", "wachtlijst")))
    released = []
    for placement in uow.session.scalars(query.order_by(PlacementRow.id)).all():
        if instruments is not None and (placement.instrument not in instruments or placement.status != "bezet"):
            continue
        if placement.status == "wachtlijst":
            placement.status, placement.updated_at = "vervallen", moment
            continue
        if _is_year(placement.period) and placement.period <= str(clock.local_date(moment).year):
            # a yearly place is spent once its year has begun (the traject was bought): not given back
            placement.status, placement.updated_at = "besteed", moment
            continue
        if placement.period and not _is_year(placement.period) \
                and placement.period < _week(clock.local_date(moment))[0]:
            placement.status, placement.updated_at = "vrijgegeven", moment  # the week is over: nothing to free
            continue
        placement.status, placement.updated_at = "vrijgegeven", moment
        _give_back(uow, organisation, placement.instrument, placement.period)
        released.append({"instrument": placement.instrument, "periode": placement.period or None})
        if not placement.period:
            _hand_on(repo, uow, organisation, placement.instrument, moment)
    uow.flush()
    return released


def _hand_on(repo: Repository, uow, organisation: str, instrument: str, moment: datetime) -> None:
    """The first case on the waiting list that still waits gets the freed place."""
    from ..errors import WerkpadError

    limit = uow.session.get(CapacityRow, (organisation, instrument))
    if limit is None:
        return
    while True:
        query = select(PlacementRow).where(PlacementRow.organisation == organisation,
                                           PlacementRow.instrument == instrument,
                                           PlacementRow.status == "wachtlijst").order_by(PlacementRow.id).limit(1)
        if not repo.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        entry = uow.session.scalars(query).first()
        if entry is None or not _take(uow, limit, "", places_in(limit, clock.local_date(moment).year)):
            return
        try:
            with uow.session.begin_nested():
                loaded = repo.load(uow, entry.case_id)
                data = {"instrument": instrument, "toegekend": True}
                if not loaded.runtime.deliver_message(PLACE_FREE_MESSAGE, data):
                    raise ValidationError(Msg("wacht niet (meer) op een plaats"))
                entry.status, entry.updated_at = "bezet", moment
                repo.save(uow, loaded, "message_received", CAPACITY_ACTOR, moment,
                          {"message": PLACE_FREE_MESSAGE, "data": data, "handled_by": "process"})
            return
        except WerkpadError:
            entry.status, entry.updated_at = "vervallen", moment
            _give_back(uow, organisation, instrument, "")


def overview(uow, organisations: list[str] | None, today: date) -> list[dict]:
    """Per organisation and instrument: places, taken (this week for weekly ones) and the waiting list."""
    from ..storage import CaseRow

    query = select(CapacityRow).order_by(CapacityRow.organisation, CapacityRow.instrument)
    if organisations is not None:
        query = query.where(CapacityRow.organisation.in_(organisations))
    out = []
    for limit in uow.session.scalars(query):
        period = _week(today)[0] if limit.per == "week" else str(today.year) if limit.per == "jaar" else ""
        use = uow.session.get(CapacityUseRow, (limit.organisation, limit.instrument, period))
        batches = []
        if limit.batch:  # per partner: trajecten this year and the batches they fill
            for row in uow.session.scalars(select(CapacityUseRow).where(
                    CapacityUseRow.organisation == limit.organisation, CapacityUseRow.instrument == limit.instrument,
                    CapacityUseRow.period.startswith(f"{today.year}/")).order_by(CapacityUseRow.period)):
                batches.append({"partner": row.period.split("/", 1)[1] or None, "taken": row.occupied,
                                "batches": -(-row.occupied // limit.batch)})
        waiting = uow.session.execute(
            select(PlacementRow, CaseRow).join(CaseRow, CaseRow.id == PlacementRow.case_id)
            .where(and_(PlacementRow.organisation == limit.organisation, PlacementRow.instrument == limit.instrument,
                        PlacementRow.status == "wachtlijst")).order_by(PlacementRow.id)).all()
        out.append({"organisation": limit.organisation, "instrument": limit.instrument, "name": limit.name,
                    "places": places_in(limit, today.year), "per": limit.per, "period": period or None,
                    "batch": limit.batch, "batches": batches,
                    "occupied": use.occupied if use else 0,
                    "waiting": [{"case": c.id, "number": c.case_number, "client": c.client_name,
                                 "since": p.created_at.isoformat()} for p, c in waiting]})
    return out


def limits_of(uow, organisation: str) -> dict[str, dict]:
    """The organisation's limits as the data file gives them (for a designer's dry run in a temporary
    database, which must ask the same questions of the same places)."""
    rows = uow.session.scalars(select(CapacityRow).where(CapacityRow.organisation == organisation)).all()
    return {r.instrument: {"naam": r.name, "plaatsen": r.places, "per": r.per,
                           "per_jaar": json.loads(r.schedule) if r.schedule else None, "batch": r.batch}
            for r in rows}


def places_of_case(uow, case_id: str) -> list[dict[str, Any]]:
    rows = uow.session.scalars(select(PlacementRow).where(PlacementRow.case_id == case_id)
                               .order_by(PlacementRow.id)).all()
    return [{"instrument": r.instrument, "period": r.period or None, "status": r.status,
             "since": r.created_at.isoformat()} for r in rows]
