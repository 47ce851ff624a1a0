"""The CLI's shape: every command answers --json, and reading a case loads only what it needs.

The import test checks the *set* of modules a real ``werkpad case show`` run loads
(in a fresh interpreter), not its time: speed figures live in bench/cli_start.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from engine.cli import main

from .people import SECRET, add_people

ROOT = Path(__file__).resolve().parents[2]

# Long-running commands that print nothing a script could read until they stop.
NO_JSON = {
    ("serve",): "starts the web server and a timer worker and runs until stopped; it has no result to print",
}

# What reading a case must not load: the workflow engine, form schemas, XML, PDFs, passwords, the web.
NOT_FOR_READING = ("SpiffWorkflow", "marshmallow", "jsonschema", "lxml", "weasyprint", "argon2", "alembic",
                   "flask", "cryptography", "engine.core.runtime", "engine.core.definitions", "engine.core.forms",
                   "engine.core.expressions", "engine.app.auditing", "engine.app.designer", "web")


def _leaves(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, path + (name,)
        if isinstance(command, click.Group):
            yield from _leaves(command, path + (name,))
        else:
            yield path + (name,), command


def test_every_command_has_a_json_option():
    leaves = dict(_leaves(main))
    assert {("case", "show"), ("users", "token"), ("audit", "verify"), ("retention", "list"),
            ("case", "export"), ("worker",), ("serve",)} <= set(leaves)  # the walk reaches lazy and plugin commands
    missing = [" ".join(path) for path, command in leaves.items()
               if path not in NO_JSON and not any("--json" in p.opts for p in command.params)]
    assert missing == []
    assert all(path in leaves for path in NO_JSON)  # an exemption for a command that is gone is a stale one


def test_every_command_says_what_it_does():
    """``werkpad GROUP --help`` lists each command with a line of Dutch; 'timers fire' once had none."""
    leaves = dict(_leaves(main))
    silent = [" ".join(path) for path, command in leaves.items() if not (command.help or "").strip()]
    assert silent == []


def test_users_commands_answer_in_json(sqlite_url):
    from engine import Werkpad

    Werkpad(sqlite_url).upgrade_db()
    runner = CliRunner()

    def run(*args: str, **kwargs):
        result = runner.invoke(main, ["--database-url", sqlite_url, "users", *args, "--json"], **kwargs)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert run("organisation", "ijmond_werkt", "--naam", "IJmond Werkt!")["key"] == "ijmond_werkt"
    assert run("create", "kees", "--wachtwoord", "lang-genoeg-123")["username"] == "kees"
    granted = run("grant", "kees", "ijmond_werkt", "consultant", "--lane", "trainer")
    assert granted["roles"][0]["lane"] == "trainer"
    issued = run("token", "kees", "--naam", "koppeling")
    assert issued["token"].startswith("wp_") and issued["user"] == "kees"
    assert run("revoke-token", "kees", str(issued["id"]))["revoked"] is True
    assert run("block", "kees")["blocked"] is True
    assert [u["username"] for u in run("list")] == ["kees"]
    refused = runner.invoke(main, ["--database-url", sqlite_url, "users", "grant", "kees", "onbekend", "auditor",
                                   "--json"])
    assert refused.exit_code == 1 and "message" in json.loads(refused.stderr)


def _modules_after(args: list[str] | None = None, code: str | None = None,
                   env: dict[str, str] | None = None) -> set[str]:
    """Run the real CLI (or ``code``) in a fresh interpreter and list every module it loaded."""
    code = code or ("from engine.cli import main\n"
                    "try:\n"
                    f"    main({args!r})\n"
                    "except SystemExit as exc:\n"
                    "    assert not exc.code, exc.code\n")
    code = "import json, sys\n" + code + "print('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})})
    return set(json.loads(done.stdout.rsplit("MODULES ", 1)[1]))


def _loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.fixture
def case_id(wp_sqlite) -> str:
    started = wp_sqlite.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01", at="2026-01-05T09:00")
    wp_sqlite.add_note(started["id"], "kees", "gebeld", at="2026-01-05T10:00")
    return started["id"]


def test_showing_a_case_loads_neither_the_workflow_engine_nor_the_form_schemas(wp_sqlite, case_id):
    """``werkpad case show`` reads with the database driver: not even SQLAlchemy is loaded."""
    modules = _modules_after(["--database-url", wp_sqlite.db.url, "case", "show", case_id, "--json"])
    assert "engine.app.case_view" in modules and "sqlite3" in modules  # it did read the case
    assert [name for name in (*NOT_FOR_READING, "sqlalchemy") if _loaded(modules, name)] == []


def test_the_engine_reads_a_case_without_the_workflow_engine_or_the_form_schemas(wp_sqlite, case_id):
    """The engine's own get_case (the web's, and the CLI's when the driver cannot answer)."""
    modules = _modules_after(code=f"from engine import Werkpad\nWerkpad({wp_sqlite.db.url!r}).get_case({case_id!r})\n")
    assert "engine.app.cases" in modules and "sqlalchemy.orm" in modules  # it did read the case
    # the cases module knows the person acting (engine.app.accounts, which hashes passwords with argon2)
    assert [name for name in NOT_FOR_READING if name != "argon2" and _loaded(modules, name)] == []


def test_the_check_fails_when_a_command_loads_the_workflow_engine(wp_sqlite, case_id):
    """The same check on a command that steps a case: it does load SpiffWorkflow, so the check can fail."""
    task = wp_sqlite.get_case(case_id)["tasks"][0]["id"]
    add_people(wp_sqlite.db.url)  # the CLI acts as kees, a consultant of the task's lane
    modules = _modules_after(["--database-url", wp_sqlite.db.url, "task", "claim", task, "--user", "kees",
                              "--at", "2026-01-05T11:00"], env={"WERKPAD_PSEUDONYM_SECRET": SECRET})
    assert _loaded(modules, "SpiffWorkflow") and _loaded(modules, "engine.core.runtime")


def test_the_cli_module_itself_loads_no_engine():
    """``import engine.cli`` (every command pays it) is click and the standard library: the engine,
    the database layer and the lazily loaded command modules come when a command asks for them."""
    code = "import json, sys, engine.cli; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    assert [m for m in ("sqlalchemy", "SpiffWorkflow", "engine.app", "engine.storage", "engine.cli.users",
                        "engine.cli.audit") if _loaded(modules, m)] == []


def test_the_overview_of_commands_loads_neither_flask_nor_the_database_layer():
    """``werkpad --help`` lists ``serve`` (the web app's entry point) by its description without
    loading the web layer: the ``web`` package imports nothing until ``create_app`` is asked for."""
    code = ("import io, contextlib\nfrom engine.cli import main\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "assert 'Start de webapplicatie' in out.getvalue(), out.getvalue()\n")
    modules = _modules_after(code=code)
    assert "web.serve" in modules  # it did describe serve
    assert [m for m in ("flask", "sqlalchemy", "werkzeug", "web.app", "engine.storage", "SpiffWorkflow")
            if _loaded(modules, m)] == []


def test_reading_a_case_without_sqlalchemy_gives_what_the_engine_gives(wp):
    """``case show`` reads through engine.app.case_view (the database driver alone); it must show
    exactly what Cases.get_case shows, for cases in every state, on SQLite and PostgreSQL."""
    from sqlalchemy import text

    from engine.app.case_view import read_case

    def same(case_id: str) -> dict:
        quick = read_case(wp.db.url, case_id)
        assert quick is not None
        assert quick == wp.get_case(case_id)
        return quick

    fresh = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01", {"toelichting": "eerste"},
                          at="2026-01-05T09:00")["id"]
    shown = same(fresh)
    assert shown["tasks"] and shown["timers"] and shown["data"]["toelichting"] == "eerste"

    busy = wp.start_case("voorbeeldstad", "123456782", "Fatima Öztürk", "1991-02-03", at="2026-01-05T09:00")["id"]
    wp.claim_task(wp.get_case(busy)["tasks"][0]["id"], "kees", at="2026-01-05T10:00")
    wp.add_note(busy, "kees", "gebeld, zij komt dinsdag", at="2026-01-05T10:30")
    wp.add_note(busy, "kees", "tweede notitie", at="2026-01-05T10:31")
    shown = same(busy)
    assert shown["tasks"][0]["claimed_by"] == "kees" and len(shown["notes"]) == 2

    ended = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01", at="2026-01-06T09:00")["id"]
    wp.send_message(ended, "aanvraag_ingetrokken", at="2026-01-06T10:00")
    shown = same(ended)
    assert shown["ended_at"] is not None and shown["end_event"]

    broken = wp.start_case("voorbeeldstad", "111222333", "Jan Jansen", "1980-01-01", at="2026-01-07T09:00")["id"]
    with wp.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET state = '{kapot', status = 'error', error = 'onleesbaar' WHERE id = :c"),
                     {"c": broken})
    shown = same(broken)
    assert shown["status"] == "error" and shown["data"] == {}

    assert read_case(wp.db.url, "bestaat-niet") is None  # the engine then says so, in its own words
    assert read_case("sqlite://", fresh) is None  # a database it cannot open itself: the engine reads it


def test_case_show_on_the_command_line_is_what_the_engine_shows(wp_sqlite, case_id):
    runner = CliRunner()
    shown = runner.invoke(main, ["--database-url", wp_sqlite.db.url, "case", "show", case_id, "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout) == wp_sqlite.get_case(case_id)
    missing = runner.invoke(main, ["--database-url", wp_sqlite.db.url, "case", "show", "bestaat-niet"])
    assert missing.exit_code == 1 and missing.stderr.strip() == "fout: zaak bestaat-niet bestaat niet"
