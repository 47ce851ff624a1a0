"""The demo data and the `werkpad users` CLI."""
from __future__ import annotations

from click.testing import CliRunner

from engine import Werkpad
from engine.app.accounts import Accounts
from engine.app.inbox import Inbox, InboxQuery, Scope
from engine.cli import main
from engine.tools.demo import DEMO_PASSWORD, load_demo

from .conftest import ROOT


def test_demo_is_idempotent_and_gives_each_organisation_users_and_cases(tmp_path, processes_dir):
    wp = Werkpad(f"sqlite:///{tmp_path / 'demo.sqlite'}", processes_dir=processes_dir, forms_dir=ROOT / "forms")
    load_demo(wp)
    first_cases = len(wp.list_tasks(status="", with_form=False))
    load_demo(wp)
    assert len(wp.list_tasks(status="", with_form=False)) == first_cases
    accounts = Accounts(wp)
    assert {o["key"] for o in accounts.list_organisations()} == {"voorbeeldstad", "anderstad"}
    kees = accounts.authenticate("kees", DEMO_PASSWORD)
    assert kees is not None and kees.lanes("voorbeeldstad") == {"inkomensconsulent"}
    assert accounts.authenticate("teamleider.anderstad", DEMO_PASSWORD).has_role("teamleider", "anderstad")
    # each organisation's designers (two: one offers a version, the other approves) and administrator
    for user, role in (("ontwerper.anderstad", "process_designer"), ("ontwerper2.anderstad", "process_designer"),
                       ("beheerder.anderstad", "administrator")):
        assert accounts.authenticate(user, DEMO_PASSWORD).has_role(role, "anderstad"), user
    assert accounts.authenticate("joke", DEMO_PASSWORD).has_role("process_designer", "voorbeeldstad")
    inbox = Inbox(wp)
    page = inbox.tasks(Scope.of(kees), InboxQuery(view="team"))
    assert page["total"] >= 3 and all(row["organisation"] == "voorbeeldstad" for row in page["items"])
    marks = {row["mark"] for row in page["items"]}
    assert "te_laat" in marks
    assert inbox.tasks(Scope.of(kees), InboxQuery(view="mijn"))["total"] == 1
    tineke = accounts.authenticate("tineke", DEMO_PASSWORD)
    specs = {row["spec"] for row in inbox.tasks(Scope.of(tineke), InboxQuery(view="alle", per_page=100))["items"]}
    assert {"intake", "rechtmatigheid", "diagnose", "evaluatie", "escalatie_intake", "crisisroute"} <= specs
    for case_id in {row["case"] for row in inbox.tasks(Scope.of(tineke), InboxQuery(view="alle"))["items"]}:
        assert wp.replay_case(case_id)["match"]
    wp.db.dispose()


def test_users_cli_create_grant_list_block(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    Werkpad(url).upgrade_db()
    runner = CliRunner()

    def run(*args, **kwargs):
        return runner.invoke(main, ["--database-url", url, "users", *args], **kwargs)

    assert run("organisation", "ijmond_werkt", "--naam", "IJmond Werkt!", "--soort", "regionaal").exit_code == 0
    result = run("create", "kees", "--naam", "Kees de Vries", input="lang-genoeg-123\nlang-genoeg-123\n")
    assert result.exit_code == 0, result.output
    assert run("grant", "kees", "ijmond_werkt", "consultant").exit_code == 1  # a consultant needs a lane
    assert run("grant", "kees", "ijmond_werkt", "consultant", "--lane", "trainer").exit_code == 0
    assert run("grant", "kees", "onbekend", "auditor").exit_code == 1
    listed = run("list")
    assert "consultant/trainer@ijmond_werkt" in listed.output
    assert run("create", "kees", "--wachtwoord", "lang-genoeg-456").exit_code == 1  # exists
    assert run("create", "kort", "--wachtwoord", "kort").exit_code == 1  # password too short
    wp = Werkpad(url)
    accounts = Accounts(wp)
    assert accounts.authenticate("kees", "lang-genoeg-123") is not None
    assert run("block", "kees").exit_code == 0
    assert accounts.authenticate("kees", "lang-genoeg-123") is None
    assert "[geblokkeerd]" in run("list").output
    assert run("block", "kees", "--opheffen").exit_code == 0
    assert accounts.authenticate("kees", "lang-genoeg-123") is not None
    issued = run("token", "kees", "--naam", "koppeling")
    assert issued.exit_code == 0
    token = issued.stdout.strip().splitlines()[0]
    assert token.startswith("wp_") and accounts.principal_for_token(token).username == "kees"
    token_id = accounts.list_tokens("kees")[0]["id"]
    assert run("revoke-token", "kees", str(token_id)).exit_code == 0
    assert accounts.principal_for_token(token) is None
    wp.db.dispose()


def test_users_cli_blocks_per_organisation_and_keeps_an_account_trail(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    Werkpad(url).upgrade_db()
    runner = CliRunner()

    def run(*args, **kwargs):
        return runner.invoke(main, ["--database-url", url, *args], **kwargs)

    for org in ("tilburg", "weener_xl"):
        assert run("users", "organisation", org).exit_code == 0
    assert run("users", "create", "kees", "--wachtwoord", "lang-genoeg-123").exit_code == 0
    assert run("users", "grant", "kees", "tilburg", "auditor").exit_code == 0
    assert run("users", "grant", "kees", "weener_xl", "auditor").exit_code == 0
    assert run("users", "block", "kees", "--organisatie", "tilburg").exit_code == 0
    wp = Werkpad(url)
    accounts = Accounts(wp)
    assert accounts.authenticate("kees", "lang-genoeg-123").organisations == ["weener_xl"]
    assert "[geblokkeerd in tilburg]" in run("users", "list").output
    assert run("users", "block", "kees", "--organisatie", "onbekend").exit_code == 1
    temporary = run("users", "reset-password", "kees").stdout.strip()
    assert accounts.authenticate("kees", temporary).must_change_password
    issued = run("users", "token", "kees").stdout.strip().splitlines()[0]

    trail = run("users", "trail", "--persoon", "kees")
    assert trail.exit_code == 0
    lines = trail.output.splitlines()
    assert len(lines) == 6 and "API-token uitgegeven" in lines[0] and "Gebruiker aangemaakt" in lines[-1]
    assert "Geblokkeerd" in trail.output and "cli:" in trail.output
    assert temporary not in trail.output and issued not in trail.output
    assert "Rol toegekend" not in run("users", "trail", "--organisatie", "tilburg", "--van", "2999-01-01").output
    assert run("users", "trail", "--van", "gisteren").exit_code == 2  # a usage error, one line
    assert run("users", "verify").output.strip() == "accountspoor in orde: 6 wijzigingen"
    assert "accountspoor in orde: 6 wijzigingen" in run("audit", "verify").output

    with wp.db.engine.begin() as conn:  # cut off the last record
        conn.exec_driver_sql("DELETE FROM account_event_scopes WHERE event_id = (SELECT max(id) FROM account_events)")
        conn.exec_driver_sql("DELETE FROM account_events WHERE seq = 6")
    result = run("users", "verify")
    assert result.exit_code == 1 and "afgekapt" in result.output
    assert run("audit", "verify").exit_code == 1
    wp.db.dispose()
