"""The ``werkpad`` command. Thin: parse options, call the service, print.

Every command accepts ``--json``; errors print one line to stderr and exit
with status 1 (2 for usage errors, as click does).

Starting is cheap: this module imports click and the standard library only.
The engine (SQLAlchemy, and SpiffWorkflow only for commands that step a case)
is imported when a command first asks for its :class:`Werkpad`; the commands
of ``users``, ``audit``, ``retention`` and ``case export`` live in their own
modules, loaded when that command runs (:class:`LazyGroup`).
"""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..core import clock
from ..errors import WerkpadError

if TYPE_CHECKING:
    from ..app import Werkpad
    from ..app.accounts import Principal
    from ..app.acting import RequestContext, SystemActor
    from ..app.reads import CaseReads


class _Moment(click.ParamType):
    name = "tijdstip"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, datetime):
            return value
        try:
            return clock.to_utc(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


MOMENT: click.ParamType = _Moment()


def _json_arg(value: str | None, what: str = "--data") -> dict:
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"{what} is geen geldige JSON: {exc.msg}") from exc
    if not isinstance(parsed, dict):
        raise click.UsageError(f"{what} moet een JSON-object zijn")
    return parsed


def acting(wp: Werkpad, username: str | None, operation: str, purpose: str,
           activity: str | None = None) -> tuple[Principal | SystemActor, RequestContext]:
    """Who a command acts for, and the access log's context of this run (``cli.<operation>``).
    With ``--user`` (or ``$WERKPAD_USER``): that person as their principal; the command applies
    the same policy as the pages and the API. An unknown or blocked user is a one-line error:
    nobody acts as them. Without a person the server's operator acts, like ``processes deploy``
    and the timer worker: someone with a shell on the server already holds the database; the
    audit trail and the access log name them by their operating-system account
    (``beheer:<account>``). Either way the command writes its access-log rows (pseudonyms from
    the web server's secret, ``WERKPAD_PSEUDONYM_SECRET`` or instance/pseudoniem.key)."""
    from ..app.acting import ACTIVITY, RequestContext

    secret = _secret()
    wp.access_log.set_secret(secret)
    context = RequestContext(f"cli.{operation}", purpose, activity=activity or ACTIVITY)
    if not username:
        return _operator(), context
    from ..app.accounts import Accounts

    return Accounts(wp, secret).person(username), context


def _operator() -> SystemActor:
    from ..app.acting import SystemActor

    return SystemActor(f"beheer:{_os_account()}")


def _secret() -> bytes:
    from ..app.acting import pseudonym_secret
    from ..app.facade import ROOT

    return pseudonym_secret(ROOT / "instance")


def reads(wp: Werkpad) -> CaseReads:
    """The CLI's reads of cases, checked and logged (engine/app/reads.py)."""
    from ..app.reads import CaseReads

    return CaseReads(wp.db, wp.access_log)


def _os_account() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no account name to be found (a container without one)
        return "onbekend"


def as_person() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--user`` option (also ``--als``) of a command that acts on a person's behalf."""
    return click.option("--user", "--als", "user", required=False, envvar="WERKPAD_USER", metavar="GEBRUIKER",
                        help="De gebruiker namens wie je dit doet (standaard $WERKPAD_USER), met dezelfde "
                             "regels als in de browser; zonder: als beheerder van de server.")


class Verdict(Exception):  # noqa: N818 - an answer, not an error
    """A command's answer that says something is not in order (a replay that differs): printed as
    any answer is, and the command exits 1, so a script can tell."""

    def __init__(self, result: Any, text: str | None) -> None:
        super().__init__(text)
        self.result, self.text = result, text


def command(group: click.Group | None, name: str, engine: bool = False,
            **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """A command with --json and uniform error handling: ``fn(werkpad, **options)``
    returns ``(result, text)``; --json prints the result, otherwise the text.
    Registered on ``group``, or standalone (for a :class:`LazyGroup`) when it is None.
    With ``engine=True`` fn gets the :class:`Engine` instead, to build the Werkpad only if needed."""

    def decorator(fn: Callable[..., Any]) -> click.Command:
        @(group.command(name, **kwargs) if group is not None else click.command(name, **kwargs))
        @click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
        @click.pass_obj
        @wraps(fn)
        def wrapper(ctx_obj, as_json: bool, **params: Any):
            code = 0
            try:
                if isinstance(params.get("case_id"), str):
                    params["case_id"] = case_id_of(ctx_obj, params["case_id"])
                result, text = fn(ctx_obj if engine else ctx_obj(), **params)
            except Verdict as verdict:
                result, text, code = verdict.result, verdict.text, 1
            except WerkpadError as exc:
                if as_json:
                    click.echo(json.dumps(exc.to_dict(), ensure_ascii=False), err=True)
                else:
                    fields = getattr(exc, "fields", None)
                    extra = ""
                    if fields:
                        extra = " — " + "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
                    click.echo(f"fout: {exc.message}{extra}".replace("\n", " "), err=True)
                sys.exit(1)
            except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
                raise
            except Exception as exc:  # noqa: BLE001 - a command never prints a traceback
                logging.getLogger("werkpad.cli").debug("onverwachte fout", exc_info=True)
                message = f"onverwachte fout ({type(exc).__name__}): {str(exc).splitlines()[0] if str(exc) else ''}"
                if as_json:
                    click.echo(json.dumps({"error": "internal", "message": message}, ensure_ascii=False), err=True)
                else:
                    click.echo(f"fout: {message}", err=True)
                sys.exit(1)
            if as_json:
                click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            else:
                click.echo(text if text is not None else json.dumps(result, ensure_ascii=False, indent=2,
                                                                     default=str))
            if code:
                sys.exit(code)

        return wrapper

    return decorator


def case_id_of(engine: Any, given: str) -> str:
    """A case as people name it on the command line: by its number (``2026-000033``, the number on
    every page and in the PDF) or by its id; the id either way. An unknown number stays as given, so
    the command says the case does not exist."""
    text = given.strip()
    if not (len(text) == 11 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()):
        return given
    from ..storage.quick import open_reader

    try:
        with open_reader(engine.database_url) as reader:  # the driver alone: no engine to build for a lookup
            if reader is not None:
                return reader.case_id_for_number(text) or given
    except Exception:  # noqa: BLE001 - the engine's own read answers instead
        logging.getLogger("werkpad.cli").debug("zaaknummer snel opzoeken lukte niet", exc_info=True)
    return engine().case_id_for_number(text) or given


class LazyGroup(click.Group):
    """A group whose commands named in ``lazy`` (``name -> "module:attribute"``) are
    imported when they are run or their help is shown, not when the CLI starts."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is geen click-commando")
            self.add_command(command, cmd_name)
        return command


class _Commands(LazyGroup):
    """The commands here plus those other packages register as ``werkpad.commands``
    entry points (``serve`` comes from the web app), loaded only when asked for:
    the CLI itself imports nothing of the web layer."""

    @staticmethod
    def _registered() -> dict[str, Any]:
        from importlib.metadata import entry_points

        return {ep.name: ep for ep in entry_points(group="werkpad.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._registered()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and (ep := self._registered().get(cmd_name)) is not None:
            command = ep.load()
        return command


class _Werkpad(_Commands):
    """Usage errors as one line too (``fout: ...``, exit 2), like every other failure."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # a group without a command: show its help
                click.echo(exc.format_message(), err=True)
            else:
                click.echo(f"fout: {exc.format_message()}".replace("\n", " "), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("afgebroken", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - not even reading the arguments prints a traceback
            logging.getLogger("werkpad.cli").debug("onverwachte fout", exc_info=True)
            click.echo(f"fout: onverwachte fout ({type(exc).__name__}): "
                       f"{str(exc).splitlines()[0] if str(exc) else ''}", err=True)
            sys.exit(1)
        if isinstance(result, int) and result:
            sys.exit(result)
        return result


class Engine:
    """``ctx.obj``: the :class:`Werkpad` of this run, built when a command first calls it."""

    def __init__(self, database_url: str | None) -> None:
        self._url = database_url
        self._werkpad: Werkpad | None = None

    def __call__(self) -> Werkpad:
        if self._werkpad is None:
            from ..app.facade import Werkpad

            self._werkpad = Werkpad(self._url)
        return self._werkpad

    @property
    def database_url(self) -> str:
        if self._url is None:
            from ..app.facade import default_database_url

            self._url = default_database_url()
        return self._url

    def close(self) -> None:
        if self._werkpad is not None:
            self._werkpad.db.dispose()


@click.group(cls=_Werkpad)
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="SQLAlchemy-URL; standaard het ingebouwde SQLite-bestand (instance/werkpad.sqlite).")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """Werkpad: de Participatiewet-processen van gemeenten, uitgevoerd."""
    engine = Engine(database_url)
    ctx.obj = engine
    ctx.call_on_close(engine.close)


@main.group()
def db() -> None:
    """Database beheren."""


@command(db, "upgrade")
def db_upgrade(wp: Werkpad):
    """Schema bijwerken naar de nieuwste migratie."""
    wp.upgrade_db()
    return {"ok": True}, "database bijgewerkt"


@main.group()
def processes() -> None:
    """Procesdefinities uitrollen en bekijken."""


@command(processes, "deploy")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--user", default="system")
@click.option("--only", multiple=True, help="Alleen deze procesmap(pen).")
def processes_deploy(wp: Werkpad, directory: Path | None, forms_dir: Path | None, user: str, only: tuple):
    """Rol alle processen in DIRECTORY (standaard processes/) uit."""
    result = wp.deploy(directory, forms_dir, actor=user, only=list(only) or None)
    lines = [f"{r['process']}: versie {r['version']} ({'nieuw' if r['created'] else 'ongewijzigd'}, "
             f"geldig vanaf {r['effective_from']})" for r in result]
    return result, "\n".join(lines)


@command(processes, "list")
def processes_list(wp: Werkpad):
    """Uitgerolde processen."""
    result = wp.list_processes()
    lines = [f"{p['process']:<20} {p['name']} — {p['versions']} versie(s), gemeenten: "
             f"{', '.join(p['municipalities'])}" for p in result]
    return result, "\n".join(lines) or "geen processen uitgerold"


@command(processes, "show")
@click.argument("name")
def processes_show(wp: Werkpad, name: str):
    """Versies, fasen, lanes, taken en timers van een proces."""
    r = wp.show_process(name)
    lines = [f"{r['name']} ({r['process']})", "versies:"]
    lines += [f"  {v['version']}  geldig vanaf {v['effective_from']}  uitgerold {v['deployed_at']}"
              for v in r["versions"]]
    lines.append("fasen: " + ", ".join(r["phases"]))
    lines.append("lanes: " + ", ".join(r["lanes"]))
    lines.append("gebruikerstaken:")
    lines += [f"  {t['id']:<28} {t['name']} [{t['lane']}] formulier={t['form']}" for t in r["user_tasks"]]
    lines.append("timers:")
    lines += [f"  {t['id']:<28} {t['kind']:<8} {t['expression']}" for t in r["timers"]]
    return r, "\n".join(lines)


@command(processes, "docs")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Doelmap (standaard docs/processes).")
def processes_docs(wp: Werkpad, out_dir: Path | None):
    """Schrijf de procesdocumentatie (stappen, rollen, termijnen, beslistabellen, formulieren)."""
    from ..tools.docgen import write_docs

    target = out_dir or wp.processes_dir.parent / "docs" / "processes"
    written = write_docs(wp.processes_dir, wp.forms_dir, target)
    return [str(p) for p in written], "\n".join(f"geschreven: {p}" for p in written)


@main.group(cls=LazyGroup, lazy={"export": "engine.cli.audit:case_export"})
def case() -> None:
    """Zaken starten, bekijken en auditen."""


@command(case, "start")
@click.option("--municipality", required=True)
@click.option("--bsn", required=True)
@click.option("--name", required=True)
@click.option("--birthdate", required=True)
@click.option("--data", default=None, help="Extra startgegevens als JSON-object.")
@click.option("--process", default=None)
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_start(wp: Werkpad, municipality, bsn, name, birthdate, data, process, user, at):
    """Start een zaak (melding) namens --user."""
    extra = _json_arg(data)
    person, context = acting(wp, user, "zaak.starten", "Melding registreren")
    r = wp.start_case(municipality, bsn, name, birthdate, extra, at=at, actor=person, process=process,
                      context=context)
    return r, f"zaak {r.get('number') or r['id']} gestart (id {r['id']}), fase {r['phase']}"


def _when(value: Any) -> str:
    """A moment as people read it: Amsterdam time, written out ("27 november 2026 11:10")."""
    from ..core.findings import dutch_datetime

    return dutch_datetime(value) if value else "-"


def _due(value: Any) -> str:
    return f"uiterlijk {_when(value)}" if value else "geen termijn"


def _case_text(r: dict) -> str:
    """The case in words; ids stay (they are what the other commands take), dates in Amsterdam time."""
    from ..core.findings import status_words

    lines = [f"zaak {r.get('number') or r['id']} — {r['client']['name']} ({r['municipality']})   id {r['id']}",
             f"status: {status_words(r['status'], r.get('error'))}   fase: {r['phase'] or '-'}   "
             f"versie: {r['process']}@{r['version']}"]
    for t in r["tasks"]:
        lines.append(f"  taak  {t['id']}  {t['name']} [{t['lane']}], {_due(t['due'])}"
                     + (f", geclaimd door {t['claimed_by']}" if t["claimed_by"] else ""))
    for t in r["timers"]:
        lines.append(f"  timer {t['name']} ({t['kind']}) op {_when(t['due'])}")
    if r.get("error"):
        lines.append(f"fout: {r['error']}")
    return "\n".join(lines)


@command(case, "show", engine=True)
@click.argument("case_id")
@as_person()
def case_show(engine: Engine, case_id: str, user: str | None):
    """Status, fase, versie, open taken en timers van een zaak (namens --user, of als beheerder)."""
    if not user:
        from ..app.acting import Access, RequestContext, access_values
        from ..app.case_view import read_case_logged

        # the operator's read with the database driver alone (no SQLAlchemy to import), its
        # access-log row included; the engine when that cannot answer
        operator, context, secret = _operator(), RequestContext("cli.zaak.bekijken", "Zaak inzien"), _secret()
        r = read_case_logged(engine.database_url, case_id, lambda c: access_values(
            operator, context, "ok", Access(c["organisation"], c["id"], None, c["client"]["bsn"]), secret))
        if r is not None:
            return r, _case_text(r)
    wp = engine()
    person, context = acting(wp, user, "zaak.bekijken", "Zaak inzien")  # as the operator's row above
    seen = reads(wp).case(person, context, case_id)
    r = wp.get_case(case_id)
    reads(wp).shown(person, context, [seen])
    return r, _case_text(r)


@command(case, "message")
@click.argument("case_id")
@click.argument("name")
@click.option("--data", default=None)
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_message(wp: Werkpad, case_id, name, data, user, at):
    """Leg namens --user een bericht (bijv. aanvraag_ingetrokken, werk_gevonden) vast bij een zaak."""
    payload = _json_arg(data)
    person, context = acting(wp, user, "zaak.bericht", "Bericht op de zaak verwerken")
    r = wp.send_message(case_id, name, payload, user=person, at=at, context=context)
    return r, _case_text(r)


@command(case, "note")
@click.argument("case_id")
@click.argument("text")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_note(wp: Werkpad, case_id, text, user, at):
    """Leg namens --user een notitie vast bij een zaak (komt in de audittrail)."""
    person, context = acting(wp, user, "zaak.notitie", "Notitie bij de zaak vastleggen")
    r = wp.add_note(case_id, person, text, at=at, context=context)
    return r, f"notitie vastgelegd bij zaak {case_id}"


@command(case, "migrate")
@click.argument("case_id")
@click.option("--to", "to_version", default=None, help="Versie (hash-prefix); standaard de nieuwste.")
@click.option("--proef", is_flag=True, help="Alleen proberen: zeggen of de zaak over kan en waar zij op moet letten.")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_migrate(wp: Werkpad, case_id, to_version, proef, user, at):
    """Zet namens --user (een procesontwerper) een lopende zaak over op een andere versie
    van haar proces (timers lopen door). Met --proef verandert er niets: de proefoverzetting zegt of
    zij over kan (anders de reden, exit 1) en waarschuwt voor een hernoemd veld dat zij nog onder de
    oude naam heeft."""
    person, context = (acting(wp, user, "zaak.proefoverzetten", "Proefoverzetting van een zaak") if proef else
                       acting(wp, user, "zaak.overzetten", "Zaak overzetten naar een andere versie"))
    r = wp.migrate_case(case_id, to_version, user=person, at=at, dry_run=proef, context=context)
    if proef:
        warnings = [str(w) for w in r["warnings"]]
        numbers = wp.version_numbers(r["process"])
        return {**r, "warnings": warnings}, "\n".join(
            [f"zaak {r['number'] or case_id} kan over van versie {numbers.get(r['from'], '?')} naar versie "
             f"{numbers.get(r['to'], '?')} (proef: er is niets veranderd)"] + [f"  let op: {w}" for w in warnings])
    return r, _case_text(r)


@command(case, "retry")
@click.argument("case_id")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_retry(wp: Werkpad, case_id, user, at):
    """Zet namens --user (een teamleider) een zaak in fout weer aan het werk, na een herstel."""
    person, context = acting(wp, user, "zaak.hervatten", "Zaak in fout hervatten")
    r = wp.retry_case(case_id, person, at=at, context=context)
    return r, _case_text(r)


@command(case, "close")
@click.argument("case_id")
@click.option("--reden", "reason", required=True, help="Waarom de zaak wordt gesloten (komt in de audittrail).")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def case_close(wp: Werkpad, case_id, reason, user, at):
    """Sluit namens --user (een teamleider) een zaak die in fout blijft."""
    person, context = acting(wp, user, "zaak.sluiten", "Zaak in fout sluiten")
    r = wp.close_case_in_error(case_id, person, reason, at=at, context=context)
    return r, _case_text(r)


@command(case, "history")
@click.argument("case_id")
@as_person()
def case_history(wp: Werkpad, case_id: str, user: str | None):
    """De audittrail van een zaak (namens --user, of als beheerder)."""
    person, context = acting(wp, user, "zaak.geschiedenis", "Verloop van de zaak inzien")
    seen = reads(wp).case(person, context, case_id)
    events = wp.case_history(case_id)
    reads(wp).shown(person, context, [seen])
    from ..core.findings import EVENT_WORDS, who

    def what(e: dict) -> str:
        task = (e.get("payload") or {}).get("task") or {}
        words = EVENT_WORDS.get(e["type"], e["type"])
        return f"{words}: {task['name']}" if isinstance(task, dict) and task.get("name") else words

    lines = [f"{e['seq']:>4}  {_when(e['at']):<24} {what(e):<48} {who(e['actor']):<18} fase {e['phase'] or '-'}"
             for e in events]
    return events, "\n".join(lines)


@command(case, "replay")
@click.argument("case_id")
@as_person()
def case_replay(wp: Werkpad, case_id: str, user: str | None):
    """Controleer de hashketen, herbouw de zaak uit haar gebeurtenissen en vergelijk na elke
    gebeurtenis met wat zij vastlegde: noemt wat afwijkt (gebeurtenis, veld, vastgelegd, herbouwd).
    Namens --user (een auditor van de organisatie), of als beheerder."""
    from ..app.reads import AUDIT_ACTIVITY
    from .audit import case_names, finding_json, finding_lines

    person, context = acting(wp, user, "zaak.controleren", "Zaak herspelen en controleren", AUDIT_ACTIVITY)
    seen = reads(wp).case(person, context, case_id, auditing=True)
    result = wp.auditing.verify_case(case_id)
    reads(wp).shown(person, context, [seen])
    if result["ok"]:
        return {"match": True, "case": case_id, "events": result["events"]}, \
            f"replay klopt ({result['events']} gebeurtenissen)"
    raise Verdict({"match": False, **finding_json(result)},
                  finding_lines(result, indent="", names=case_names(wp, [case_id])).lstrip())


@command(main, "tasks")
@click.option("--case", "case_id", default=None)
@click.option("--lane", default=None)
@click.option("--weergave", "view", type=click.Choice(["mijn", "team", "alle"]), default=None,
              help="Namens --user: de taken van de persoon (mijn, standaard), van het team of alle "
                   "(teamleiders en auditors), zoals in het takenoverzicht.")
@as_person()
def tasks(wp: Werkpad, case_id: str | None, lane: str | None, view: str | None, user: str | None):
    """Open taken, met hun formulier als JSON Schema. Namens --user zoals het takenoverzicht op het
    web: --weergave mijn (standaard), team of alle; met --case de open taken van die zaak (met
    --weergave alleen wat die weergave ervan toont). Zonder --user als beheerder: alle open taken."""
    if view and not user:
        from ..errors import ValidationError

        raise ValidationError("--weergave hoort bij --user: zonder persoon toont de opdracht alle open taken")
    person, context = acting(wp, user, "taken.bekijken", "Open taken inzien")
    found = reads(wp)
    if case_id:
        seen = found.case(person, context, case_id)
        result = wp.list_tasks(case_id=case_id, lane=lane)
        if view:  # only what that view of the inbox shows of this case
            shown = _in_view(wp, person, view)
            result = [t for t in result if t["id"] in shown]
        found.shown(person, context, [seen])
    else:
        result = wp.list_tasks(lane=lane, organisations=found.organisations(person))
        if user:
            shown = _in_view(wp, person, view or "mijn")
            result = [t for t in result if t["id"] in shown]
        found.listed(person, context, [t["case"] for t in result])
    return result, "\n".join(f"{t['id']}  zaak {t['case']}  {t['name']} [{t['lane']}], {_due(t['due'])}"
                             for t in result) or "geen open taken"


def _in_view(wp: Werkpad, person, view: str) -> set[str]:
    """The ids of the open tasks in one of the inbox's views of this person, every page."""
    from ..app import policy
    from ..app.inbox import MAX_PER_PAGE, Inbox, InboxQuery, Scope
    from ..errors import Forbidden

    if view == "alle" and not policy.may_view_all(person):
        raise Forbidden("alle open taken zijn er voor teamleiders en auditors; kies --weergave mijn of team")
    inbox, scope, page = Inbox(wp), Scope.of(person), 1
    ids: set[str] = set()
    while True:
        listing = inbox.tasks(scope, InboxQuery(view=view, page=page, per_page=MAX_PER_PAGE))
        ids.update(item["id"] for item in listing["items"])
        if len(listing["items"]) < MAX_PER_PAGE:
            return ids
        page += 1


@main.group()
def task() -> None:
    """Een taak claimen, vrijgeven, toewijzen of afronden."""


@command(task, "claim")
@click.argument("task_id")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def task_claim(wp: Werkpad, task_id, user, at):
    """Claim een taak voor --user."""
    person, context = acting(wp, user, "taak.claimen", "Taak oppakken")
    r = wp.claim_task(task_id, person, at=at, context=context)
    return r, f"taak {task_id} geclaimd door {person.username}"


@command(task, "unclaim")
@click.argument("task_id")
@as_person()
@click.option("--at", type=MOMENT, default=None)
def task_unclaim(wp: Werkpad, task_id, user, at):
    """Geef een taak vrij namens --user (wie haar heeft, of een teamleider)."""
    person, context = acting(wp, user, "taak.vrijgeven", "Taak vrijgeven")
    r = wp.unclaim_task(task_id, person, at=at, context=context)
    return r, f"taak {task_id} vrijgegeven"


@command(task, "assign")
@click.argument("task_id")
@as_person()
@click.option("--to", "assignee", required=True)
@click.option("--at", type=MOMENT, default=None)
def task_assign(wp: Werkpad, task_id, user, assignee, at):
    """Wijs een taak namens --user (een teamleider) toe aan een collega."""
    person, context = acting(wp, user, "taak.toewijzen", "Taak toewijzen")
    r = wp.assign_task(task_id, person, assignee, at=at, context=context)
    return r, f"taak {task_id} toegewezen aan {assignee}"


@command(task, "complete")
@click.argument("task_id")
@as_person()
@click.option("--data", default=None)
@click.option("--at", type=MOMENT, default=None)
def task_complete(wp: Werkpad, task_id, user, data, at):
    """Rond een taak af namens --user, met de formuliergegevens als JSON."""
    values = _json_arg(data)
    person, context = acting(wp, user, "taak.afronden", "Taak afronden")
    r = wp.complete_task(task_id, person, values, at=at, context=context)
    return r, _case_text(r)


@command(main, "compare")
@click.argument("profile", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--only", multiple=True, help="Alleen deze procesmap(pen).")
@click.option("--processes", "processes_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def compare_cmd(wp: Werkpad, profile: Path, only: tuple, processes_dir: Path | None, forms_dir: Path | None):
    """Laat één klantprofiel door het proces van elke gemeente lopen (gesimuleerde klok)."""
    from ..tools.compare import compare, deadline_words, place_words

    try:
        data = json.loads(profile.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"{profile} is geen geldige JSON: {exc.msg}") from exc
    results = compare(data, processes_dir or wp.processes_dir, forms_dir or wp.forms_dir, list(only) or None)
    lines = []
    for r in results:
        if "error" in r:
            lines.append(f"== {r['process']}: FOUT {r['error']}")
            continue
        e, t = r["eind"], r["termijnen"]
        lines.append(f"== {r['naam']} ({r['gemeente']})")
        lines.append(f"   eind: {e['status']} in fase {e['fase']} via {e['eindgebeurtenis'] or '-'} "
                     f"na {e['duur_dagen']} dagen; termijnen gehaald {t['gehaald']}, gemist {t['gemist']}"
                     + (f", lopend {t['loopt']}" if t["loopt"] else ""))
        lines.append("   fasen (dagen): " + ", ".join(f"{k} {v}" for k, v in r["fasen_dagen"].items()))
        lines.append("   pad: " + " → ".join(step["naam"] for step in r["pad"]))
        lines.append("   termijnen:" if t["lijst"] else "   termijnen: geen")
        lines += [f"     - {deadline_words(item)}" for item in t["lijst"]]
        lines.append("   plaatsen:" if r["plaatsen"] else "   plaatsen: geen")
        lines += [f"     - {place_words(place)}" for place in r["plaatsen"]]
        if r["opmerking"]:
            lines.append(f"   let op: {r['opmerking']}")
    return results, "\n".join(lines)


@command(main, "simulate")
@click.option("--cases", "n_cases", type=click.IntRange(1, 100_000), default=100, help="Aantal zaken.")
@click.option("--months", type=click.IntRange(1, 120), default=12, help="Gesimuleerde maanden.")
@click.option("--seed", type=int, default=1, help="Startwaarde van de toevalsgenerator (herhaalbaar).")
@click.option("--only", multiple=True, help="Alleen deze procesmap(pen).")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Map met klantprofielen (standaard docs/profielen).")
def simulate_cmd(wp: Werkpad, n_cases: int, months: int, seed: int, only: tuple, profiles_dir: Path | None):
    """Speel N zaken over alle organisaties door M maanden gesimuleerde tijd (tijdelijke database)."""
    from ..tools.simulate import simulate

    profiles = profiles_dir or Path(wp.processes_dir).resolve().parent / "docs" / "profielen"
    r = simulate(n_cases, months, wp.processes_dir, wp.forms_dir, profiles, seed=seed, only=list(only) or None)
    t = r["termijnen"]
    lines = [f"{r['zaken']} zaken, {r['maanden']} maanden gesimuleerd (tot {r['tot'][:10]}) in {r['seconden']} s",
             "eindtoestand: " + ", ".join(f"{k} {v}" for k, v in r["eindtoestand"].items()),
             "fase: " + ", ".join(f"{k} {v}" for k, v in r["fase"].items()),
             "per organisatie: " + ", ".join(f"{k} {v}" for k, v in r["per_organisatie"].items()),
             f"taken afgerond {r['taken_afgerond']}, open {r['taken_open']}; timers afgegaan {r['timers_afgegaan']}",
             f"termijnen gehaald {t['gehaald']}, gemist {t['gemist']}, open en verlopen {t['open_en_verlopen']}"]
    for name, figures in r["berichten"].items():
        why = ", ".join(f"{k} {v}" for k, v in figures.items()
                        if k not in ("verstuurd", "geland", "niet_van_toepassing"))
        lines.append(f"bericht {name}: verstuurd {figures['verstuurd']}, geland {figures['geland']}, "
                     f"niet van toepassing {figures['niet_van_toepassing']}" + (f" ({why})" if why else ""))
    if r["gebeurtenissen"]:
        lines.append("verder: " + ", ".join(f"{k} {v}" for k, v in r["gebeurtenissen"].items()))
    return r, "\n".join(lines)


@main.group()
def timers() -> None:
    """Timers afvuren."""


@command(timers, "fire")
@click.option("--until", type=MOMENT, default=None, help="Vuur alles af wat tot dit tijdstip verloopt.")
def timers_fire(wp: Werkpad, until):
    """Vuur één keer alle timers af die nu (of tot --until) verlopen zijn, en stop."""
    fired = wp.fire_due_timers(until)
    from ..core.findings import STATUS_WORDS

    lines = [f"{_when(f['due'])}  zaak {f.get('number') or f['case']}  {', '.join(f['timers'])} → "
             f"{STATUS_WORDS.get(f['status'], f['status'])}, fase {f['phase'] or '-'}" for f in fired]
    return fired, "\n".join(lines) or "geen timers verlopen"


@command(main, "worker")
@click.option("--once", is_flag=True, help="Eén ronde: vuur af wat nu verloopt en stop.")
def worker_cmd(wp: Werkpad, once: bool):
    """Timers afvuren zodra ze verlopen, tot het proces wordt gestopt (SIGTERM/Ctrl-C).

    Er mogen zoveel workers tegelijk draaien als nodig: elke timer gaat precies één keer af."""
    from ..worker import run_worker

    if not once:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                            stream=sys.stderr)
    fired = run_worker(wp, once=once)
    return {"fired": fired}, f"{fired} timer(s) afgegaan"


@main.group(cls=LazyGroup, lazy={"verify": "engine.cli.audit:audit_verify",
                                  "anchor": "engine.cli.audit:audit_anchor",
                                  "check-anchor": "engine.cli.audit:audit_check_anchor"})
def audit() -> None:
    """De audittrail controleren."""


@main.group(cls=LazyGroup, lazy={"list": "engine.cli.audit:retention_list",
                                  "approve": "engine.cli.audit:retention_approve",
                                  "destroy": "engine.cli.audit:retention_destroy"})
def retention() -> None:
    """Bewaartermijnen (Archiefwet, VNG Selectielijst 2020): lijst, goedkeuren, vernietigen."""


@main.group(cls=LazyGroup, lazy={name: f"engine.cli.users:{attribute}" for name, attribute in (
    ("organisation", "organisation"), ("create", "create"), ("grant", "grant"), ("revoke", "revoke"),
    ("block", "block"), ("token", "token"), ("revoke-token", "revoke_token"), ("list", "list_users"),
    ("reset-password", "reset_password"), ("trail", "trail"), ("verify", "verify"))})
def users() -> None:
    """Gebruikers, organisaties en rollen beheren."""
