"""Processes and their versions: deploy, list, show, and moving a case to another version."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..core import clock
from ..core.definitions import Bundle, discover, version_label
from ..core.messages import Msg
from ..core.uses import missing_after_move, where_read
from ..errors import Conflict, Forbidden, NotFound, WerkpadError
from ..storage import CaseRow, DefinitionRow, UnitOfWork
from . import capacity, policy
from .accounts import Principal
from .acting import Access, Actor, RequestContext, as_actor
from .cases import Cases
from .repository import Repository


class Processes:
    def __init__(self, repo: Repository, cases: Cases, processes_dir: Path, forms_dir: Path) -> None:
        self.repo = repo
        self.db = repo.db
        self.cases = cases
        self.processes_dir = processes_dir
        self.forms_dir = forms_dir
        self._municipality_names: dict[str, str] | None = None
        # where each version reads which names (versions never change): the dry run asks it per case
        self._reads: dict[str, dict[str, list[Msg]]] = {}

    def _read_by(self, version_hash: str, bundle: Bundle) -> dict[str, list[Msg]]:
        """Where version ``version_hash`` reads each name (:func:`where_read` of its files), once per process."""
        if version_hash not in self._reads:
            if len(self._reads) >= 64:
                self._reads.clear()
            self._reads[version_hash] = where_read(bundle.files)
        return self._reads[version_hash]

    # ------------------------------------------------------------------ definitions
    def deploy(self, processes_dir: Path | str | None = None, forms_dir: Path | str | None = None,
               actor: str = "system", at: datetime | None = None, only: list[str] | None = None) -> list[dict]:
        """Store every process folder as a version; unchanged files make no new version.
        All or nothing: one invalid folder stops the deploy with its reasons."""
        bundles = discover(Path(processes_dir or self.processes_dir), Path(forms_dir or self.forms_dir), only)
        with clock.at(at), self.db.unit_of_work() as uow:
            out = self.store_bundles(uow, bundles, actor)
            for bundle in bundles:  # places per instrument: the organisation's data file beside the process
                capacity.store_limits(uow, bundle.organisation, capacity.read_capacity_file(
                    Path(processes_dir or self.processes_dir) / bundle.key))
            uow.commit()
        return out

    def store_bundles(self, uow: UnitOfWork, bundles: list[Bundle], actor: str) -> list[dict]:
        """Store checked bundles as versions inside ``uow`` (not committed): the one path
        both ``deploy`` and publishing a designer's draft take."""
        out = []
        for bundle in bundles:
            digest = bundle.version_hash
            existing = uow.session.scalar(select(DefinitionRow).where(
                DefinitionRow.process_key == bundle.key, DefinitionRow.version_hash == digest))
            if existing is None:
                existing = DefinitionRow(
                    process_key=bundle.key, version_hash=digest, name=bundle.name,
                    organisation=bundle.organisation, municipalities=json.dumps(sorted(bundle.municipalities)),
                    effective_from=bundle.effective_from, deployed_at=clock.now(), deployed_by=actor,
                    record=json.dumps(bundle.to_record(), sort_keys=True), meta=json.dumps(bundle.meta()),
                )
                uow.session.add(existing)
                uow.flush()
                created = True
            else:
                created = False
            out.append({"process": bundle.key, "version": version_label(digest), "hash": digest, "id": existing.id,
                        "created": created, "effective_from": bundle.effective_from.isoformat()})
        return out

    def list_processes(self) -> list[dict]:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).order_by(DefinitionRow.process_key,
                                                                      DefinitionRow.id)).all()
        by_key: dict[str, dict] = {}
        today = clock.local_date()
        for row in rows:
            item = by_key.setdefault(row.process_key, {
                "process": row.process_key, "name": row.name, "organisation": row.organisation,
                "municipalities": json.loads(row.municipalities), "versions": 0, "current": None})
            item["versions"] += 1
            item["name"] = row.name
            if row.effective_from <= today:
                item["current"] = version_label(row.version_hash)
        return list(by_key.values())

    def lanes_in_use(self, organisations: Iterable[str]) -> set[str]:
        """The lanes (work roles) the processes of these organisations give tasks to, in any of
        their deployed versions (a running case may still be on an older one)."""
        with self.db.unit_of_work(write=False) as uow:
            metas = uow.session.scalars(select(DefinitionRow.meta)
                                        .where(DefinitionRow.organisation.in_(list(organisations)))).all()
        return {lane for meta in metas for lane in json.loads(meta).get("lanes", ())}

    def show_process(self, key: str) -> dict:
        with self.db.unit_of_work(write=False) as uow:
            rows = uow.session.scalars(select(DefinitionRow).where(DefinitionRow.process_key == key)
                                       .order_by(DefinitionRow.id)).all()
        if not rows:
            raise NotFound(Msg("proces '%(key)s' is niet uitgerold", key=key))
        latest = rows[-1]
        meta = json.loads(latest.meta)
        return {
            "process": key, "name": latest.name, "organisation": latest.organisation,
            "municipalities": json.loads(latest.municipalities),
            "versions": [{"version": version_label(r.version_hash), "hash": r.version_hash,
                          "effective_from": r.effective_from.isoformat(), "deployed_at": r.deployed_at.isoformat(),
                          "deployed_by": r.deployed_by} for r in rows],
            **meta,
        }

    def definition_files(self, key: str, version: str | None = None) -> dict:
        """The stored BPMN/DMN/forms of a version (latest when ``version`` is None)."""
        with self.db.unit_of_work(write=False) as uow:
            query = select(DefinitionRow).where(DefinitionRow.process_key == key)
            if version:
                query = query.where(DefinitionRow.version_hash.startswith(version))
            row = uow.session.scalars(query.order_by(DefinitionRow.id.desc())).first()
        if row is None:
            raise NotFound(Msg("versie %(version)s van proces '%(key)s' bestaat niet",
                               version=version or '', key=key))
        return json.loads(row.record)

    def municipality_name(self, key: str) -> str:
        """A municipality as people write it ('s-Hertogenbosch, Súdwest-Fryslân), from
        processes/gemeenten.json (read once); an unknown key in words."""
        if self._municipality_names is None:
            try:
                names = json.loads((Path(self.processes_dir) / "gemeenten.json").read_text(encoding="utf-8"))
                names = names.get("gemeenten", {}) if isinstance(names, dict) else {}
            except (OSError, ValueError):
                names = {}
            self._municipality_names = {k: v for k, v in names.items() if isinstance(v, str)} \
                if isinstance(names, dict) else {}
        return self._municipality_names.get(key) or key.replace("_", " ").replace("-", " ").title()

    def versions(self, key: str) -> list[tuple[str, date]]:
        """The versions of process ``key`` in the order the designer's screens number them (the
        first is version 1): ``(version hash, effective from)``."""
        with self.db.unit_of_work(write=False) as uow:
            return [(version_hash, effective) for version_hash, effective in uow.session.execute(
                select(DefinitionRow.version_hash, DefinitionRow.effective_from)
                .where(DefinitionRow.process_key == key).order_by(DefinitionRow.id)).all()]

    def version_numbers(self, key: str) -> dict[str, int]:
        """Each version of process ``key`` by its number on the designer's screens: ``{version hash: number}``."""
        return {version_hash: number for number, (version_hash, _) in enumerate(self.versions(key), start=1)}

    def field_words(self, version_hash: str | None) -> dict[str, dict]:
        """How the fields of a version are called and what their choices read as
        (:meth:`engine.core.forms.FormRegistry.field_words`); nothing for an unknown or broken version."""
        if not version_hash:
            return {}
        try:
            with self.db.unit_of_work(write=False) as uow:
                bundle = self.repo.bundle_by_hash(uow, version_hash)
            return bundle.form_registry().field_words()
        except (WerkpadError, ValueError, KeyError, TypeError):
            return {}  # the words are a help for reading; without them the raw names show
    # ------------------------------------------------------------------ versions
    def migrate_case(self, case_id: str, to_version: str | None = None, user: Actor | str = "system",
                     at: datetime | None = None, dry_run: bool = False,
                     also: Callable[[Any, datetime], None] | None = None,
                     context: RequestContext | None = None) -> dict:
        """Move a running case to another version of its process (default: the
        newest deployed one). Waiting timers keep their due time; tasks keep their
        claims. Refused when the new version lacks a step the case is at. With
        ``dry_run`` nothing is stored: it only raises when the move would be refused.

        A person (``Principal``) must be a designer of the case's organisation: whoever
        may read the case but not move it is refused (Forbidden), anyone else finds no
        case (NotFound). The access-log row of a move is in the case's unit of work, like
        ``also``: the caller's own rows (the designer's event)."""
        actor = as_actor(user)
        access = [Access(case_id=(case_id or "")[:32])]
        with self.cases._logged(actor, context, "zaak.overzetten", "Zaak overzetten naar een andere versie",
                                access) as ctx, clock.at(at) as moment, self.repo.broken_case_guard(moment), \
                self.db.unit_of_work() as uow:
            row = uow.session.get(CaseRow, case_id) if case_id and len(case_id) <= 32 else None
            if row is None:
                raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
            access.append(Access(row.organisation, row.id, None, row.bsn))
            if isinstance(actor, Principal):
                if not policy.may_edit_design(actor, row.organisation):
                    if policy.may_read_case(actor, row.organisation):
                        raise Forbidden(Msg("Alleen een procesontwerper zet een zaak over naar een andere "
                                            "versie."))
                    access.append(Access(case_id=row.id))  # nothing of a case they cannot read in their log
                    raise NotFound(Msg("zaak %(case_id)s bestaat niet", case_id=case_id))
            loaded = self.repo.load(uow, case_id)
            query = select(DefinitionRow).where(DefinitionRow.process_key == loaded.row.process_key)
            if to_version:
                query = query.where(DefinitionRow.version_hash.startswith(to_version))
            target = uow.session.scalars(query.order_by(DefinitionRow.id.desc())).first()
            if target is None:
                raise NotFound(Msg("versie %(to_version)s van '%(process_key)s' bestaat niet",
                                   to_version=to_version or '(nieuwste)', process_key=loaded.row.process_key))
            current = uow.session.get(DefinitionRow, loaded.row.definition_id)
            if current is None:
                raise NotFound(Msg("procesversie %(definition_id)s bestaat niet (meer)",
                                   definition_id=loaded.row.definition_id))
            if target.id == current.id:
                raise Conflict(Msg("zaak %(case_id)s draait al op versie %(version_hash)s",
                                   case_id=case_id, version_hash=version_label(target.version_hash)))
            bundle = self.repo.bundle(target)
            spec, subprocess_specs = bundle.specs()
            loaded.runtime = loaded.runtime.migrate(spec, subprocess_specs)
            if dry_run:  # nothing stored: the unit of work is left without a commit
                warnings = missing_after_move(self.repo.bundle(current).forms, self._read_by(target.version_hash, bundle),
                                              bundle.forms, loaded.runtime.data())
                tried = {"case": case_id, "number": loaded.row.case_number, "process": loaded.row.process_key,
                         "from": current.version_hash, "to": target.version_hash, "warnings": warnings}
            else:
                loaded.bundle = bundle
                loaded.row.definition_id = target.id
                self.repo.save(uow, loaded, "version_migrated", actor.username, moment,
                               {"from": current.version_hash, "to": target.version_hash})
                if also is not None:
                    also(uow, moment)
                if ctx is not None:
                    self.cases.access_log.add(uow, actor, ctx, "ok", access[-1])
                uow.commit()
        if dry_run:
            if ctx is not None:  # the try read the case: in the log as a read, after the rolled-back unit of work
                self.cases.access_log.write(actor, ctx, "ok", access[-1])
            return tried
        return self.cases.get_case(case_id)
