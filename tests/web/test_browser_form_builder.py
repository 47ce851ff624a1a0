"""The form page's field builder in Debian's chromium: a designer edits a form without touching
JSON — adds a number field with a label, a limit and 'verplicht', a choice field with its choices,
moves a field up, relabels a vocabulary field, removes a field, refuses a bad field name — sees the
consultant's preview follow, saves the draft, and finds exactly that in the draft's form. Typing
broken JSON shows the builder's message instead of fields; repairing it brings them back. The page
answers in English too. No console error (the strict Content-Security-Policy holds)."""
from __future__ import annotations

import json

from .test_browser import _login, _shot, page, server  # noqa: F401 - fixtures

__all__ = ["page", "server"]
FORM = "/ontwerp/voorbeeld/formulieren/voorbeeld_intake"
DIAGNOSE = "/ontwerp/voorbeeld/formulieren/voorbeeld_diagnose"


def _card(page, name):
    return page.locator(f'#velden-lijst [data-veld="{name}"]')


def _order(page) -> list[str]:
    return page.eval_on_selector_all("#velden-lijst [data-veld]", "els => els.map(e => e.dataset.veld)")


def _add(page, name: str, kind: str):
    """A new field through the builder's 'Nieuw veld' box; its card, opened."""
    new = page.locator(".bouw-nieuw")
    new.get_by_label("Veldnaam").fill(name)
    new.get_by_label("Soort").select_option(kind)
    new.get_by_role("button", name="Veld toevoegen").click()
    return _card(page, name)


def _json(page) -> dict:
    return json.loads(page.input_value("#tekst"))


def test_a_designer_builds_a_form_without_writing_json(server, page, werkpad):  # noqa: F811
    page.on("dialog", lambda dialog: dialog.accept())
    _login(page, server, "piet")
    page.goto(server + FORM)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    assert _order(page) == ["crisis", "woonsituatie", "toelichting"]
    summary = _card(page, "woonsituatie").locator("summary").inner_text()
    assert "Woonsituatie" in summary and "Keuze uit een lijst" in summary and "verplicht" in summary

    # a new whole-number field, labelled, at most 20, required
    card = _add(page, "aantal_gesprekken", "integer")
    card.get_by_label("Label").fill("Aantal gesprekken in de poort")
    card.get_by_label("Maximaal").fill("20")
    card.get_by_label("Verplicht").check()
    page.wait_for_selector("#voorbeeld >> text=Aantal gesprekken in de poort")  # the preview follows
    # Enter in a one-line field saves nothing behind the designer's back; in the name box it adds the field
    card.get_by_label("Label").press("Enter")
    assert page.url.endswith(FORM)
    new = page.locator(".bouw-nieuw")
    new.get_by_label("Veldnaam").fill("extra_opmerking")
    new.get_by_label("Veldnaam").press("Enter")
    _card(page, "extra_opmerking").get_by_role("button", name="Extra opmerking verwijderen").click()
    assert page.url.endswith(FORM) and "extra_opmerking" not in _order(page)
    # a choice field with its own choices
    card = _add(page, "contactvorm", "choice")
    card.get_by_label("Label").fill("Hoe was het contact?")
    card.get_by_label("Keuzes").fill("balie = Aan de balie\ntelefoon = Telefonisch\nhuisbezoek")
    page.wait_for_selector("#voorbeeld >> text=Telefonisch")
    # moved up twice (above 'toelichting'), a vocabulary field relabelled, and 'woonsituatie' removed
    _card(page, "contactvorm").get_by_role("button", name="Hoe was het contact? omhoog").click()
    _card(page, "contactvorm").get_by_role("button", name="Hoe was het contact? omhoog").click()
    _card(page, "crisis").locator("summary").click()
    _card(page, "crisis").get_by_label("Label").fill("Crisis bij de melding?")
    _card(page, "woonsituatie").locator("summary").click()
    _card(page, "woonsituatie").get_by_role("button", name="Woonsituatie verwijderen").click()
    # a name that cannot be a field is refused, in words, and adds nothing
    new = page.locator(".bouw-nieuw")
    new.get_by_label("Veldnaam").fill("Aantal Kinderen")
    new.get_by_role("button", name="Veld toevoegen").click()
    assert "begint met een kleine letter" in new.locator("[role=alert]").inner_text()
    assert _order(page) == ["crisis", "contactvorm", "toelichting", "aantal_gesprekken"]

    doc = _json(page)
    assert list(doc["properties"]) == ["crisis", "contactvorm", "toelichting", "aantal_gesprekken"]
    assert doc["properties"]["aantal_gesprekken"] == {"type": "integer", "title": "Aantal gesprekken in de poort",
                                                      "maximum": 20}
    assert doc["properties"]["contactvorm"]["enum"] == ["balie", "telefoon", "huisbezoek"]
    assert doc["properties"]["contactvorm"]["x-labels"]["telefoon"] == "Telefonisch"
    assert doc["properties"]["crisis"] == {"title": "Crisis bij de melding?"}  # the rest from the vocabulary
    assert doc["required"] == ["crisis", "aantal_gesprekken"]
    page.wait_for_selector("#voorbeeld >> text=Crisis bij de melding?")  # the preview has caught up
    assert "Woonsituatie" not in page.inner_text("#voorbeeld")
    new.get_by_label("Veldnaam").fill("")
    _shot(page, "designer-formulier-bouwer.png")

    page.click("#formulier-bron button[type=submit]")
    page.wait_for_url("**/ontwerp/voorbeeld?melding=bewaard")
    stored = json.loads(werkpad.designer.draft("voorbeeld")["record"]["forms"]["voorbeeld_intake"])
    assert stored == doc

    # broken JSON: the builder says so instead of showing stale fields; repaired, they are back
    page.goto(server + FORM)
    page.wait_for_selector('#velden-lijst [data-veld="contactvorm"]')
    good = page.input_value("#tekst")
    page.fill("#tekst", good[:-3])
    page.wait_for_selector("#bouw-ongeldig")
    page.fill("#tekst", good)
    page.wait_for_selector('#velden-lijst [data-veld="contactvorm"]')
    assert not page.console_errors, page.console_errors


def test_the_field_builder_speaks_english(server, page):  # noqa: F811
    _login(page, server, "piet")
    page.goto(server + FORM)
    page.click("footer button[value=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(server + FORM)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    builder = page.inner_text("#velden-bouwer")
    assert "Add field" in builder and "Field name" in builder and "Veld toevoegen" not in builder
    assert "Choice from a list" in _card(page, "woonsituatie").locator("summary").inner_text()
    # where a field is used, and the rename button, in English too
    page.goto(server + DIAGNOSE)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    card = _card(page, "loonwaarde_pct")
    card.locator("summary").click()
    assert "decision table ‘Route op loonwaarde’" in card.locator(".bouw-gebruik").inner_text()
    assert card.get_by_role("button", name="Loonwaarde (% van het WML): rename").inner_text() == "Rename…"
    assert not page.console_errors, page.console_errors



def test_a_designer_renames_a_field_and_is_told_what_still_reads_the_old_name(server, page, werkpad):  # noqa: F811
    """Each field says where the process reads it; renaming one keeps its place, label, limits and
    'verplicht', writes out what it took from the shared vocabulary, and names the decision table
    that still reads the old name. A name the form already has, or no field name, is refused."""
    _login(page, server, "piet")
    page.goto(server + DIAGNOSE)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    loonwaarde = _card(page, "loonwaarde_pct")
    loonwaarde.locator("summary").click()
    assert "beslistabel ‘Route op loonwaarde’" in loonwaarde.locator(".bouw-gebruik").inner_text()
    datum = _card(page, "datum_gesprek")
    datum.locator("summary").click()
    assert "Nergens anders gebruikt" in datum.locator(".bouw-gebruik").inner_text()

    # refused: a name the form has, and no field name; cancelling leaves the field as it was
    datum.get_by_role("button", name="Datum van het diagnosegesprek: naam wijzigen").click()
    datum.get_by_label("Nieuwe veldnaam").fill("trede")
    datum.get_by_role("button", name="Naam wijzigen", exact=True).click()
    assert "al een veld “trede”" in datum.locator(".bouw-hernoem [role=alert]").inner_text()
    datum.get_by_label("Nieuwe veldnaam").fill("Datum")
    datum.get_by_label("Nieuwe veldnaam").press("Enter")  # Enter renames (and submits nothing)
    assert "begint met een kleine letter" in datum.locator(".bouw-hernoem [role=alert]").inner_text()
    assert page.url.endswith(DIAGNOSE)
    datum.get_by_role("button", name="Annuleren").click()
    assert _order(page) == ["loonwaarde_pct", "trede", "datum_gesprek", "toelichting"]

    # renamed: same place, required still, the vocabulary's kind and limits written out
    loonwaarde.get_by_role("button", name="Loonwaarde (% van het WML): naam wijzigen").click()
    loonwaarde.get_by_label("Nieuwe veldnaam").fill("loonwaarde_gemeten")
    loonwaarde.get_by_role("button", name="Naam wijzigen", exact=True).click()
    assert _order(page) == ["loonwaarde_gemeten", "trede", "datum_gesprek", "toelichting"]
    renamed = _card(page, "loonwaarde_gemeten")
    warning = renamed.locator(".bouw-hernoem, .bouw-hernoemd").first.inner_text()
    assert "heette “loonwaarde_pct”" in warning and "beslistabel ‘Route op loonwaarde’" in warning
    assert "Nergens anders gebruikt" in renamed.locator(".bouw-gebruik").inner_text()
    doc = _json(page)
    assert list(doc["properties"]) == ["loonwaarde_gemeten", "trede", "datum_gesprek", "toelichting"]
    assert doc["required"] == ["loonwaarde_gemeten", "trede"]
    field = doc["properties"]["loonwaarde_gemeten"]
    assert (field["type"], field["minimum"], field["maximum"]) == ("integer", 0, 100)
    assert field["title"] == "Loonwaarde (% van het WML)"
    page.wait_for_selector("#voorbeeld >> text=Loonwaarde (% van het WML)")  # the preview has caught up
    _shot(page, "designer-formulier-hernoemen.png")

    page.click("#formulier-bron button[type=submit]")
    page.wait_for_url("**/ontwerp/voorbeeld?melding=bewaard")
    stored = json.loads(werkpad.designer.draft("voorbeeld")["record"]["forms"]["voorbeeld_diagnose"])
    assert stored == doc
    assert not page.console_errors, page.console_errors



def test_a_designer_asks_a_text_in_a_form_and_says_what_the_consultant_reads(server, page, werkpad):  # noqa: F811
    """'Vorm' of a short text: a postcode, telephone number, e-mail address, IBAN, KvK number, time or BSN, without writing a
    pattern; the message a consultant reads when a value is not of that form comes with it and can be
    reworded; 'Vrij' takes both away; the saved draft's form refuses and accepts as promised."""
    from pathlib import Path

    from engine.core.forms import FormRegistry
    from engine.errors import ValidationError

    _login(page, server, "piet")
    page.goto(server + FORM)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    card = _add(page, "telefoon_klant", "text")
    card.get_by_label("Label").fill("Telefoonnummer van de klant")
    message = card.get_by_label("Melding bij een andere vorm")
    assert message.is_hidden()
    card.get_by_label("Vorm", exact=True).select_option(label="Telefoonnummer")
    assert message.is_visible() and "telefoonnummer" in message.input_value()
    card.get_by_label("Vorm", exact=True).select_option(label="Vrij")
    assert "pattern" not in _json(page)["properties"]["telefoon_klant"] and message.is_hidden()
    card = _add(page, "postcode_klant", "text")
    card.get_by_label("Vorm", exact=True).select_option(label="Postcode")
    card.get_by_label("Melding bij een andere vorm").fill("Schrijf de postcode als 1234 AB.")
    prop = _json(page)["properties"]["postcode_klant"]
    assert prop["pattern"] == "^[1-9][0-9]{3} ?[A-Za-z]{2}$" and prop["x-patroonfout"] == "Schrijf de postcode als 1234 AB."
    # a BSN is a format of the server's (the 11-proef), not a pattern: no message to reword
    card = _add(page, "bsn_partner", "text")
    card.get_by_label("Vorm", exact=True).select_option(label="BSN")
    assert _json(page)["properties"]["bsn_partner"].get("format") == "bsn"
    assert "pattern" not in _json(page)["properties"]["bsn_partner"]
    assert card.get_by_label("Melding bij een andere vorm").is_hidden()
    card.get_by_label("Vorm", exact=True).select_option(label="KvK-nummer")
    assert "format" not in _json(page)["properties"]["bsn_partner"]
    assert _json(page)["properties"]["bsn_partner"]["pattern"] == "^[0-9]{8}$"
    card.get_by_label("Vorm", exact=True).select_option(label="BSN")
    _shot(page, "designer-formulier-vorm.png")
    page.click("#formulier-bron button[type=submit]")
    page.wait_for_url("**/ontwerp/voorbeeld?melding=bewaard")
    stored = werkpad.designer.draft("voorbeeld")["record"]["forms"]["voorbeeld_intake"]
    vocabulary = (Path(__file__).resolve().parents[2] / "forms" / "vocabulaire.json").read_text(encoding="utf-8")
    form = FormRegistry.from_sources({"f": stored}, vocabulary).get("f")
    data = {"crisis": False, "woonsituatie": "inwonend"}
    assert form.validate({**data, "postcode_klant": "5038 ab"})["postcode_klant"] == "5038 ab"
    try:
        form.validate({**data, "postcode_klant": "50 38AB"})
        raise AssertionError("a postcode of the wrong form was accepted")
    except ValidationError as exc:
        assert [str(m) for m in exc.fields["postcode_klant"]] == ["Schrijf de postcode als 1234 AB."]
    assert form.validate({**data, "bsn_partner": "111 222 333"})["bsn_partner"] == "111222333"
    try:
        form.validate({**data, "bsn_partner": "111222334"})
        raise AssertionError("a BSN failing the 11-proef was accepted")
    except ValidationError as exc:
        assert str(exc.fields["bsn_partner"][0]).startswith("Vul een geldig BSN in")
    # a pattern the builder does not know is kept and named as the form file's own
    page.goto(server + FORM)
    page.wait_for_selector("#velden-bouwer:not([hidden])")
    doc = _json(page)
    doc["properties"]["postcode_klant"]["pattern"] = "^[0-9]{4}$"
    page.fill("#tekst", json.dumps(doc, ensure_ascii=False, indent=1))
    card = _card(page, "postcode_klant")
    card.locator("summary").click()
    assert card.get_by_label("Vorm", exact=True).input_value() == "eigen"
    assert _json(page)["properties"]["postcode_klant"]["pattern"] == "^[0-9]{4}$"
    assert not page.console_errors, page.console_errors
