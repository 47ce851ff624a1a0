"""The hostile corpus (tests/fixtures/kwaadaardig) through every save path.

Two kinds of findings (docs/designer.md):

- a **refusal** (XML hazard, oversized or unreadable file, an expression the safe-expression
  checker refuses, a form that is no valid JSON Schema or uses a keyword form validation does
  not enforce) is refused on every path — the modeler's save, the decision-table editor's,
  the form editor's, an uploaded file, an imported folder (zip) and ``werkpad processes
  deploy`` — with a clear message and a 4xx (deploy: exit 1), and nothing changes;
- a **modelling finding** (unreachable task, path without an end, gateway that can get stuck,
  missing form, unknown role or message, DMN gap or overlap) is kept in the draft by the
  editor's save (so no work is lost) and blocks publication, while every path that takes a
  file from outside refuses it with nothing stored.

"Nothing changes" is checked on the database itself: the designer's drafts (rows and
content), events and publications, the deployed versions and the case events, before and
after each attempt. The 50 MB case is never built in memory: the web paths get a body that
is produced as it is read (and must not be read: the Content-Length refuses it), deploy a
file written on disk in 1 MB pieces.
"""
from __future__ import annotations

import html
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine import Werkpad
from engine.app.accounts import Accounts
from engine.core.checks import check_bundle, refusals
from engine.core.definitions import bundle_from_files
from engine.core.forms import FormRegistry
from engine.errors import ValidationError
from web import create_app

from .conftest import FAST_HASHER, PASSWORD, SECRET, csrf_from, login

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "kwaadaardig"
VOCABULARY = ROOT / "forms" / "vocabulaire.json"
MANIFEST = {"sleutel": "kwaad", "naam": "Kwaad", "organisatie": "kwaad", "gemeenten": {"kwaadstad": {}},
            "proces": "kwaad_proces", "geldig_vanaf": "2026-01-01", "startgegevens": ["loonwaarde_pct"]}
FORM = "kw_formulier"
BIG = 50 * 1024 * 1024
GROOT = "groot"  # the 50 MB case: made by the test, not a file in the corpus

SCRIPT, CONDITION = "script van 'Teller bijwerken' (script_teller)", "voorwaarde van 'Werk' (f_werk)"
TIMER, ENTRY = "timer van 'Te laat' (timer_te_laat)", "beslistabel 'Route bepalen' (kw_besluit), regel 2, kolom 1"
DOCTYPE = "bevat een DOCTYPE- of ENTITY-declaratie"

# case -> (file in the corpus, words its message contains, the element it is shown on)
REFUSALS = {
    "xxe_passwd": ("xxe_passwd.bpmn", DOCTYPE, None),
    "billion_laughs": ("billion_laughs.bpmn", DOCTYPE, None),
    "externe_dtd": ("externe_dtd.bpmn", DOCTYPE, None),
    "dmn_xxe": ("dmn_xxe.dmn", DOCTYPE, None),
    "onleesbaar": ("onleesbaar.bpmn", "geen geldige XML", None),
    GROOT: ("groot.bpmn", "te groot", None),
    "script_mro": ("script_mro.bpmn", SCRIPT, "script_teller"),
    "script_import": ("script_import.bpmn", SCRIPT, "script_teller"),
    "script_dunder": ("script_dunder.bpmn", SCRIPT, "script_teller"),
    "script_comprehension": ("script_comprehension.bpmn", SCRIPT, "script_teller"),
    "voorwaarde_mro": ("voorwaarde_mro.bpmn", CONDITION, "f_werk"),
    "voorwaarde_import": ("voorwaarde_import.bpmn", CONDITION, "f_werk"),
    "voorwaarde_dunder": ("voorwaarde_dunder.bpmn", CONDITION, "f_werk"),
    "voorwaarde_comprehension": ("voorwaarde_comprehension.bpmn", CONDITION, "f_werk"),
    "timer_mro": ("timer_mro.bpmn", TIMER, "timer_te_laat"),
    "timer_import": ("timer_import.bpmn", TIMER, "timer_te_laat"),
    "timer_dunder": ("timer_dunder.bpmn", TIMER, "timer_te_laat"),
    "timer_comprehension": ("timer_comprehension.bpmn", TIMER, "timer_te_laat"),
    "termijn_import": ("termijn_import.bpmn", "termijn van 'Intake' (taak_intake)", "taak_intake"),
    "dmn_mro": ("dmn_mro.dmn", ENTRY, "regel_hoog_in"),
    "dmn_dunder": ("dmn_escape.dmn", ENTRY, "regel_hoog_in"),
    "dmn_comprehension": ("dmn_comprehension.dmn", ENTRY, "regel_hoog_in"),
    "dmn_uitvoer_import": ("dmn_uitvoer_import.dmn", "regel 2: uitvoer", "regel_hoog_uit"),
    "dmn_invoer_import": ("dmn_invoer_escape.dmn", "invoerexpressie", "kw_in"),
    "dmn_feel_bereik": ("dmn_feel_bereik.dmn", "wordt niet begrepen", "regel_hoog_in"),
    "formulier_sleutelwoord": ("formulier_sleutelwoord.json", "'multipleOf' wordt niet ondersteund", "taak_intake"),
    "formulier_metaschema": ("formulier_metaschema.json", "geen geldig JSON Schema", "taak_intake"),
    # a step naming a form (from the shared forms folder) with a keyword validation does not enforce
    "stap_met_kwaad_formulier": ("formulier_sleutelwoord.bpmn", "'multipleOf' wordt niet ondersteund", "taak_intake"),
}
FINDINGS = {
    "onbereikbare_taak": ("onbereikbare_taak.bpmn", "is niet bereikbaar", "taak_vergeten"),
    "pad_zonder_einde": ("pad_zonder_einde.bpmn", "geen eindgebeurtenis bereikbaar", "taak_doodlopend"),
    "formulier_ontbreekt": ("formulier_ontbreekt.bpmn", "formulier 'bestaat_niet' bestaat niet", "taak_intake"),
    "gateway_zonder_default": ("gateway_zonder_default.bpmn", "geen standaardstroom", "gw_route"),
    "onbekend_bericht": ("onbekend_bericht.bpmn", "bericht 'geheim_signaal'", "wacht_bericht"),
    "onbekende_rol": ("onbekende_rol.bpmn", "geen bekende rol", "taak_intake"),
    "dmn_overlap": ("dmn_overlap.dmn", "overlap", "regel_hoog"),
    "dmn_gat": ("dmn_gat.dmn", "gat in de tabel", "kw_tabel"),
}
CASES = {**REFUSALS, **FINDINGS}
PATHS = ("bewerker", "bestand", "map", "deploy")


def _read(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def _base() -> dict[str, str]:
    """The valid starting point: process file, decision table and form."""
    return {"kwaad.bpmn": _read("basis.bpmn"), "kwaad.dmn": _read("basis.dmn"), f"{FORM}.json": _read(f"{FORM}.json")}


def _target(case_file: str) -> str:
    """Which file of the process a corpus file replaces."""
    suffix = Path(case_file).suffix
    return {".bpmn": "kwaad.bpmn", ".dmn": "kwaad.dmn", ".json": f"{FORM}.json"}[suffix]


def _with(case: str) -> dict[str, str]:
    files = _base()
    files[_target(CASES[case][0])] = _read(CASES[case][0])
    return files


class Endless(io.RawIOBase):
    """A request body of ``size`` bytes made as it is read; counts what the server read."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.taken = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body by seeking to its end
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b" " * n
        self.position += n
        self.taken += n
        return n


# ---------------------------------------------------------------------- one app for the module
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("kwaad")
    processes, forms = _folder(root / "uitgerold", None)
    url = f"sqlite:///{root / 'kwaad.sqlite'}"
    wp = Werkpad(url, processes_dir=processes, forms_dir=forms)
    wp.upgrade_db()
    wp.deploy()
    accounts = Accounts(wp, SECRET, FAST_HASHER)
    accounts.create_organisation("kwaad", "Gemeente Kwaad")
    accounts.create_user("olga", PASSWORD, "Olga")
    accounts.grant("olga", "kwaad", "process_designer", None)
    app = create_app(wp, config={"TESTING": True, "PSEUDONYM_SECRET": SECRET, "PASSWORD_HASHER": FAST_HASHER})
    client = app.test_client()
    assert login(client, "olga").status_code == 302
    token = csrf_from(client.get("/ontwerp/kwaad").get_data(as_text=True))
    yield {"wp": wp, "client": client, "token": token, "url": url, "root": root}
    wp.db.dispose()


@pytest.fixture(params=["zonder concept", "met concept"])
def site_clean(site, request):
    """Every test starts without a draft, or with a draft holding a designer's earlier work
    (a renamed step) that a refused save must leave exactly as it was."""
    if request.param == "met concept":
        renamed = _read("basis.bpmn").replace('name="Intake"', 'name="Intakegesprek"')
        site["wp"].designer.save_draft("kwaad", "olga", files={"kwaad.bpmn": renamed}, change_note="eerder werk")
    yield site
    if site["wp"].designer.draft("kwaad") is not None:
        site["wp"].designer.discard_draft("kwaad", "olga")


def _folder(where: Path, case: str | None, big: bool = False) -> tuple[Path, Path]:
    """A processes folder with the kwaad process and a forms folder, ``case`` put in."""
    if where.exists():
        shutil.rmtree(where)
    processes, forms = where / "processes", where / "forms"
    (processes / "kwaad").mkdir(parents=True)
    forms.mkdir()
    files = _with(case) if case and case != GROOT else _base()
    (processes / "kwaad" / "proces.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    for name in ("kwaad.bpmn", "kwaad.dmn"):
        (processes / "kwaad" / name).write_text(files[name], encoding="utf-8")
    (forms / f"{FORM}.json").write_text(files[f"{FORM}.json"], encoding="utf-8")
    shutil.copy(CORPUS / "kw_formulier_kwaad.json", forms / "kw_formulier_kwaad.json")
    shutil.copy(VOCABULARY, forms / "vocabulaire.json")
    if big:  # 50 MB on disk, written in pieces: a valid file followed by white space
        with (processes / "kwaad" / "kwaad.bpmn").open("a", encoding="utf-8") as out:
            for _ in range(BIG // (1024 * 1024)):
                out.write(" " * (1024 * 1024))
    return processes, forms


def _state(wp: Werkpad) -> dict:
    """Everything a save could change: drafts (rows and content), designer events and
    publications, deployed versions, case events."""
    with wp.db.engine.connect() as conn:
        return {table: [tuple(r) for r in conn.execute(text(f"select * from {table} order by 1"))]  # noqa: S608
                for table in ("designer_drafts", "designer_events", "designer_publications", "definition_versions",
                              "events")}


# ---------------------------------------------------------------------- the save paths
def _editor(site, case: str, body: bytes | None = None):
    """The editor for the case's kind of file: the modeler, the decision-table editor or the
    form editor, as their pages post."""
    client, token = site["client"], site["token"]
    target = _target(CASES[case][0])
    if case == GROOT:  # each editor: the modeler, the decision table, the form
        answers = []
        for url, kind in (("/ontwerp/kwaad/concept", "application/json"),
                          ("/ontwerp/kwaad/beslistabellen/kwaad", "application/json"),
                          (f"/ontwerp/kwaad/formulieren/{FORM}", "application/x-www-form-urlencoded")):
            stream = Endless(BIG)
            answers.append((client.post(url, input_stream=stream, content_length=BIG, content_type=kind,
                                        headers={"X-CSRF-Token": token, "Accept": "application/json"}), stream))
        assert [r.status_code for r, _s in answers] == [413, 413, 413]
        assert all(s.taken < 1024 * 1024 for _r, s in answers), [s.taken for _r, s in answers]
        return answers[0]
    content = _with(case)[target]
    if target == "kwaad.bpmn":
        return client.post("/ontwerp/kwaad/concept", json={"bestand": "kwaad.bpmn", "xml": content},
                           headers={"X-CSRF-Token": token, "Accept": "application/json"}), None
    if target == "kwaad.dmn":
        return client.post("/ontwerp/kwaad/beslistabellen/kwaad", json={"xml": content},
                           headers={"X-CSRF-Token": token, "Accept": "application/json"}), None
    return client.post(f"/ontwerp/kwaad/formulieren/{FORM}", data={"csrf_token": site["token"], "tekst": content}), None


def _upload(site, name: str, data: bytes):
    return site["client"].post("/ontwerp/kwaad/upload", data={"csrf_token": site["token"], "toelichting": "kwaad",
                                                              "bestand": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")


def _big_upload(site, name: str):
    stream = Endless(BIG)
    response = site["client"].post("/ontwerp/kwaad/upload", input_stream=stream, content_length=BIG,
                                   content_type="multipart/form-data; boundary=kwaad")
    return response, stream


def _file(site, case: str):
    if case == GROOT:
        return _big_upload(site, "kwaad.bpmn")
    target = _target(CASES[case][0])
    return _upload(site, target, _with(case)[target].encode("utf-8")), None


def _zip(site, case: str):
    if case == GROOT:
        return _big_upload(site, "kwaad.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("kwaad/proces.json", json.dumps(MANIFEST))
        for name, content in _with(case).items():
            archive.writestr(f"kwaad/forms/{name}" if name.endswith(".json") else f"kwaad/{name}", content)
    return _upload(site, "kwaad.zip", buffer.getvalue()), None


def _deploy(site, case: str):
    processes, forms = _folder(site["root"] / "map", case, big=case == GROOT)
    result = CliRunner().invoke(__import__("engine.cli", fromlist=["main"]).main,
                                ["processes", "deploy", str(processes), "--forms", str(forms)],
                                env={"DATABASE_URL": site["url"]})
    return result


def _message(response) -> str:
    if response.is_json:
        return response.get_json()["message"]
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_corpus_file_through_every_save_path(site_clean, case, path):
    site = site_clean
    wp = site["wp"]
    _file_name, words, element = CASES[case]
    refusal = case in REFUSALS
    before = _state(wp)

    if path == "deploy":
        result = _deploy(site, case)
        output = result.stderr
        assert result.exit_code == 1, output
        assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
        expected = "groter dan 5 MB" if case == GROOT else words
        assert expected in output, output
        assert _state(wp) == before
        return

    response, stream = {"bewerker": _editor, "bestand": _file, "map": _zip}[path](site, case)
    if stream is not None:  # the 50 MB body: refused on its Content-Length, before it is read
        assert response.status_code == 413
        assert stream.taken < 1024 * 1024, stream.taken
        assert "te groot" in _message(response) and "niets bewaard" in _message(response)
        assert _state(wp) == before
        return

    if refusal or path != "bewerker":
        assert response.status_code == 422, response.get_data(as_text=True)[:2000]
        message = _message(response)
        assert words in message, message[:2000]
        if path != "bewerker" or _target(CASES[case][0]) != f"{FORM}.json":  # the form editor shows its preview
            assert "niets bewaard" in message
        if response.is_json and element is not None:  # the problems come along, to be shown on the diagram
            assert element in {p["element"] for p in response.get_json()["problemen"]}
        assert "root:x:" not in message  # the XXE read nothing
        assert _state(wp) == before
        return

    # a modelling finding in an editor: the draft keeps the work, with the finding; not publishable
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    draft = wp.designer.draft("kwaad")
    assert draft is not None
    assert any(words in p["message"] and p["element"] == element for p in draft["problems"]), draft["problems"]
    after = _state(wp)
    assert after["definition_versions"] == before["definition_versions"]
    assert after["designer_publications"] == before["designer_publications"]
    offered = site["client"].post("/ontwerp/kwaad/aanbieden", data={
        "csrf_token": site["token"], "geldig_vanaf": "2099-01-01", "toelichting": "met bevinding"})
    assert offered.status_code == 409
    assert _state(wp)["definition_versions"] == before["definition_versions"]


def test_the_corpus_holds_every_file_and_the_checks_sort_them(site):
    """Every corpus file is used above, and check_bundle marks exactly the refusals as such."""
    used = {f for f, _w, _e in CASES.values()} | {"basis.bpmn", "basis.dmn", f"{FORM}.json", "kw_formulier_kwaad.json",
                                                  "timer_goed.bpmn", "groot.bpmn"}
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix in (".bpmn", ".dmn", ".json")}
    assert on_disk <= used, sorted(on_disk - used)
    vocabulary = VOCABULARY.read_text(encoding="utf-8")
    for case, (_file_name, words, element) in CASES.items():
        if case == GROOT:
            continue
        files = _with(case)
        forms = {FORM: files.pop(f"{FORM}.json"), "kw_formulier_kwaad": _read("kw_formulier_kwaad.json")}
        if case != "stap_met_kwaad_formulier":
            del forms["kw_formulier_kwaad"]
        problems = check_bundle(bundle_from_files(MANIFEST, files, forms, vocabulary))
        matching = [p for p in problems if words in p.message]
        assert matching, (case, [p.message for p in problems])
        assert {p.refusal for p in matching} == {case in REFUSALS}, case
        if element is not None:
            assert element in {p.element for p in matching}, (case, [(p.element, p.message) for p in matching])
        assert [p for p in problems if p.refusal] == [p for p in refusals(files, forms, vocabulary)], case
    base = _base()
    form = base.pop(f"{FORM}.json")
    timer = {**base, "kwaad.bpmn": _read("timer_goed.bpmn")}
    assert check_bundle(bundle_from_files(MANIFEST, timer, {FORM: form}, vocabulary)) == []


def test_a_refusal_reads_in_english_too(site_clean):
    client = site_clean["client"]
    client.set_cookie("werkpad_taal", "en")
    try:
        response, _stream = _editor(site_clean, "script_import")
        assert response.status_code == 422
        assert response.get_json()["message"].startswith("refused, nothing saved: ")
        response = _upload(site_clean, "kwaad.bpmn", _read("onbereikbare_taak.bpmn").encode())
        assert response.status_code == 422
        assert "a file from outside must pass every check; nothing saved" in _message(response)
        stream = Endless(BIG)
        response = client.post("/ontwerp/kwaad/concept", input_stream=stream, content_length=BIG,
                               content_type="application/json",
                               headers={"X-CSRF-Token": site_clean["token"], "Accept": "application/json"})
        assert response.status_code == 413 and "too large" in response.get_json()["message"]
    finally:
        client.set_cookie("werkpad_taal", "nl")


def test_a_valid_file_from_outside_is_taken_and_a_form_of_another_process_is_not(site_clean):
    wp = site_clean["wp"]
    response = _upload(site_clean, "kwaad.bpmn", _read("timer_goed.bpmn").encode())
    assert response.status_code == 302 and "melding=geupload" in response.headers["Location"]
    draft = wp.designer.draft("kwaad")
    assert draft["problems"] == [] and "timer_te_laat" in draft["record"]["files"]["kwaad.bpmn"]
    before = _state(wp)
    response = _upload(site_clean, "vreemd_formulier.json", _read(f"{FORM}.json").encode())
    assert response.status_code == 422 and "hoort niet bij dit proces" in _message(response)
    response = _upload(site_clean, "kwaad.exe", b"MZ")
    assert response.status_code == 422 and "zip-bestand" in _message(response)
    assert _state(wp) == before


@pytest.mark.parametrize("form, good, bad", [
    ({"type": "integer", "title": "Aantal", "exclusiveMinimum": 0}, 1, 0),
    ({"type": "string", "title": "Keuze", "const": "A"}, "A", "B"),
    ({"type": "array", "title": "Lijst", "items": {"type": "string"}, "uniqueItems": True}, ["a", "b"], ["a", "a"]),
])
def test_the_keywords_a_form_may_use_are_enforced(form, good, bad):
    """exclusiveMinimum, const and uniqueItems are allowed in a form because validation enforces them."""
    source = json.dumps({"type": "object", "title": "Proef", "properties": {"veld": form}})
    definition = FormRegistry.from_sources({"proef": source}).get("proef")
    assert definition.validate({"veld": good})["veld"] == good
    with pytest.raises(ValidationError):
        definition.validate({"veld": bad})


@pytest.mark.parametrize("at", [None, "2026-01-10T09:00"])  # the real clock and a pinned one
def test_the_use_case_refuses_with_the_refused_items_and_stores_nothing(site_clean, at):
    """Through the engine's own API: the ValidationError carries the refused items (for the
    diagram); a folder (zip) with only a finding is refused the same way."""
    wp = site_clean["wp"]
    before = _state(wp)
    with pytest.raises(ValidationError) as refused:
        wp.designer.save_draft("kwaad", "olga", files={"kwaad.bpmn": _read("timer_mro.bpmn")}, at=at)
    assert refused.value.message.startswith("geweigerd, er is niets bewaard: kwaad.bpmn: timer van 'Te laat'")
    assert [p["element"] for p in refused.value.details["problemen"]] == ["timer_te_laat"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("proces.json", json.dumps(MANIFEST))  # the whole folder: a zip replaces the process's files
        archive.writestr("kwaad.bpmn", _read("onbereikbare_taak.bpmn"))
        archive.writestr("kwaad.dmn", _read("basis.dmn"))
    with pytest.raises(ValidationError) as refused:
        wp.designer.upload_zip("kwaad", "olga", buffer.getvalue(), "uit git", at=at)
    assert "een bestand van buiten moet alle controles doorstaan" in refused.value.message
    assert [p["element"] for p in refused.value.details["problemen"]] == ["taak_vergeten"]
    assert _state(wp) == before
    # the same finding from the modeler is kept in the draft, at the moment given
    draft = wp.designer.save_draft("kwaad", "olga", files={"kwaad.bpmn": _read("onbereikbare_taak.bpmn")}, at=at)
    assert [p["element"] for p in draft["problems"]] == ["taak_vergeten"]
    if at is not None:
        assert draft["updated_at"].isoformat().startswith("2026-01-10T08:00")  # 09:00 Amsterdam is 08:00 UTC
