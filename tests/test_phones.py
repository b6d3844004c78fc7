"""Phone numbers as people write them: checked, shown grouped, dialled and scanned as E.164."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handbook import phones
from handbook.model import ContactChannel
from handbook.pipeline import Project, validate
from handbook.render.common import channel_html
from handbook.render.roles import render_contacts
from handbook.site import Site
from tests.conftest import REPO, SCHEMAS, TODAY, copy_project, handbook_cli, make_project
from tests.test_public_build import build

# One number, written the ways people write it: all of them dial +1 201-555-0123.
WRITTEN = [
    "+12015550123",
    "+1 201 555 0123",
    "+1-201-555-0123",
    "+1 (201) 555-0123",
    "+1.201.555.0123",
    "+1 201 555 0123\n",  # a block scalar's line break
]
NATIONAL_US = ["(201) 555-0123", "201-555-0123", "201.555.0123", "201 555 0123", "2015550123"]


@pytest.mark.parametrize("value", WRITTEN)
def test_every_written_form_normalises_to_the_same_e164(value: str) -> None:
    assert phones.normalise(value) == "+12015550123"
    assert phones.normalise(value, "GB") == "+12015550123"  # a + number ignores the region
    assert phones.display(value) == "+1 201-555-0123"
    assert phones.tel_url(value) == "tel:+12015550123"


@pytest.mark.parametrize("value", NATIONAL_US)
def test_a_national_number_is_read_in_the_phone_region(value: str) -> None:
    assert phones.normalise(value, "US") == "+12015550123"
    assert phones.display(value, "US") == "+1 201-555-0123"
    assert phones.normalise(value) is None  # no region: no country to read it in
    with pytest.raises(phones.PhoneNumberError, match=r"has no country code.*phone_region"):
        phones.parse(value)


def test_other_countries_are_grouped_their_own_way() -> None:
    assert phones.normalise("020 7946 0123", "GB") == "+442079460123"  # trunk 0 dropped
    assert phones.display("020 7946 0123", "GB") == "+44 20 7946 0123"
    assert phones.display("+44 (0)20 7946 0123") == "+44 20 7946 0123"
    assert phones.display("+49 30 901820") == "+49 30 901820"
    assert phones.tel_url("020 7946 0123", "GB") == "tel:+442079460123"


@pytest.mark.parametrize(
    ("value", "region", "reason"),
    [
        ("+1 201 555 012", None, "is not a phone number: too few digits for \\+1"),
        ("+1 201 555 01234", None, "is not a phone number: too many digits for \\+1"),
        ("+1 555 010 0100", None, "is not a valid phone number: no \\+1 number starts with"),
        ("+999 1234 5678", None, "is not a phone number: no country has that calling code"),
        ("+", None, "is not a phone number"),
        ("555-0123", "US", "read as a number of US.*: a local number: add the area code"),
        ("(201) 555-0123", None, "has no country code"),
    ],
)
def test_what_is_not_a_valid_number_is_refused_with_a_reason(
    value: str, region: str | None, reason: str
) -> None:
    with pytest.raises(phones.PhoneNumberError, match=reason):
        phones.parse(value, region)
    assert phones.normalise(value, region) is None
    assert phones.display(value, region) == value  # shown as written, never guessed


def test_the_engine_and_the_schema_allow_the_same_characters() -> None:
    common = json.loads((SCHEMAS / "common.schema.json").read_text(encoding="utf-8"))
    branch = common["$defs"]["contact_channel"]["allOf"][0]
    assert branch["if"]["properties"]["type"]["const"] == "phone"
    pattern = re.compile(branch["then"]["properties"]["value"]["pattern"])
    samples = [*WRITTEN, *NATIONAL_US, "+1 201 555 O123", "tel:+12015550123", "+1 201 555 0123 x1"]
    samples += ["201/555/0123", "+1\u00a0201", "[PHONE]", " +1 201 555 0123", "++1 201"]
    for value in samples:
        assert bool(pattern.search(value)) == bool(phones.WRITTEN.search(value)), value
    assert not pattern.search("+1 201 555 O123")  # letters: refused by the schema itself


# --- Validation: ``handbook validate`` -------------------------------------------------


def _set_phones(project: Path, ana: str, carla: str) -> None:
    """Write the base fixture's two phone numbers (people.yml line 9 and line 23)."""
    people = project / "data" / "people.yml"
    text = people.read_text(encoding="utf-8")
    text = text.replace('"+1 201 555 0101"', ana).replace('"+1 201-555-0103"', carla)
    people.write_text(text, encoding="utf-8")


def _set_region(project: Path, region: str) -> None:
    info = project / "data" / "handbook.yml"
    text = info.read_text(encoding="utf-8")
    info.write_text(text + f"phone_region: {region}\n", encoding="utf-8")


def _validate(project: Path) -> tuple[int, list[str]]:
    done = handbook_cli("validate", "--today", TODAY.isoformat(), cwd=project)
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    return done.returncode, output.splitlines()


def test_invalid_numbers_are_errors_at_their_file_line_and_column(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_phones(project, '"+1 201 555 012"', '"+1 555-010-0103"')
    status, lines = _validate(project)
    assert status == 1
    assert lines[:-1] == [
        "data/people.yml:9:14: error: $[0].contacts[0].value: '+1 201 555 012' is not a phone"
        " number: too few digits for +1 [phone-number]",
        "data/people.yml:23:14: error: $[2].contacts[0].value: '+1 555-010-0103' is not a valid"
        " phone number: no +1 number starts with these digits (an area or operator code not in"
        " use); check them [phone-number]",
    ]
    assert lines[-1].startswith("invalid: 2 errors")


def test_letters_are_refused_once_by_the_schema_at_their_place(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_phones(project, '"+1 201 555 O101"', '"1-800-FLOWERS"')  # libphonenumber reads both
    status, lines = _validate(project)
    assert status == 1
    assert [line.split(": error: ")[0] for line in lines[:-1]] == [
        "data/people.yml:9:14",
        "data/people.yml:23:14",
    ]
    assert all(
        line.endswith("(Phone number) [schema]") and "is not written like +1 201 555 0123" in line
        for line in lines[:-1]
    )


def test_a_national_number_needs_the_phone_region(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_phones(project, "(201) 555-0101", "020 7946 0103")
    status, lines = _validate(project)
    assert status == 1
    assert [line.split(": $")[0] for line in lines[:-1]] == [
        "data/people.yml:9:14: error",
        "data/people.yml:23:14: error",
    ]
    for line in lines[:-1]:
        assert "has no country code: write it with + and its country code" in line
        assert "or set phone_region in handbook.yml" in line
        assert line.endswith("[phone-number]")

    _set_region(project, "US")  # the UK number is not a US one
    status, lines = _validate(project)
    assert status == 1
    assert len(lines) == 2
    assert lines[0].startswith("data/people.yml:23:14: error: $[2].contacts[0].value: ")
    assert "(read as a number of US, the phone_region)" in lines[0]


def test_with_the_phone_region_national_numbers_validate_and_the_model_holds_e164(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    _set_phones(project, "020 7946 0101", '"+1 (201) 555-0103"')
    _set_region(project, "GB")
    status, lines = _validate(project)
    assert status == 0, lines
    assert lines[-1].startswith("valid: 0 errors, 0 warnings")
    result = validate(Project.at(project), today=TODAY)
    assert result.handbook is not None
    numbers = {
        p.id: [c.value for c in p.contacts if c.type == "phone"] for p in result.handbook.people
    }
    assert numbers["ana-silva"] == ["+442079460101"]
    assert numbers["carla-diaz"] == ["+12015550103"]


@pytest.mark.parametrize(
    ("region", "says"),
    [
        ("ZZ", "phone_region 'ZZ' is not a country libphonenumber knows: write the ISO 3166"),
        ("us", "'us' is not written like US or GB (Phone region) [schema]"),
    ],
)
def test_an_unusable_phone_region_is_one_error_at_its_place(
    tmp_path: Path, region: str, says: str
) -> None:
    project = make_project(tmp_path)
    _set_phones(project, "(201) 555-0101", '"+1 555 010 0103"')
    _set_region(project, region)
    status, lines = _validate(project)
    assert status == 1
    # The national number is not reported again as lacking a region; the + one still is.
    assert len(lines) == 3, lines
    assert lines[0].startswith("data/handbook.yml:16:15: error: $.phone_region: ")
    assert says in lines[0]
    assert lines[1].startswith("data/people.yml:23:14: error: ")
    assert lines[1].endswith("[phone-number]")


# --- Rendering and the public build ----------------------------------------------------


def test_a_phone_channel_dials_e164_and_shows_the_grouped_form() -> None:
    channel = ContactChannel(type="phone", value="+1 (201) 555-0101", visibility="internal")
    html = channel_html(channel)
    assert 'href="tel:+12015550101"' in html
    assert ">+1 201-555-0101</a>" in html
    national = ContactChannel(type="phone", value="020 7946 0101", visibility="internal")
    html = channel_html(national, "GB")
    assert 'href="tel:+442079460101">+44 20 7946 0101</a>' in html


def test_the_site_links_every_number_as_e164_with_its_grouped_form(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _set_phones(project, "020 7946 0101", '"+1 (201) 555-0103"')
    _set_region(project, "GB")
    result = validate(Project.at(project), today=TODAY)
    assert result.handbook is not None
    site = Site(result.handbook, TODAY)
    html = render_contacts(site.page("contacts.md"))
    assert '<a href="tel:+442079460101">+44 20 7946 0101</a>' in html
    assert '<a href="tel:+12015550103">+1 201-555-0103</a>' in html
    assert "020 7946 0101" not in html and "(201)" not in html


def test_the_shipped_example_writes_numbers_in_several_forms(handbook_model) -> None:
    text = (REPO / "data" / "people.yml").read_text(encoding="utf-8")
    text += (REPO / "data" / "teams.yml").read_text(encoding="utf-8")
    written = re.findall(r'value: "?([+(0-9][0-9 ().+-]+[0-9])"?', text)
    assert any(" " in w for w in written) and any("-" in w for w in written)
    assert any(not w.startswith("+") for w in written)  # national, with phone_region: US
    values = [
        c.value
        for record in (*handbook_model.people, *handbook_model.teams)
        for c in record.contacts
        if c.type == "phone"
    ]
    assert len(values) == len(set(values)) == len(written)
    assert all(re.fullmatch(r"\+[1-9][0-9]{6,14}", v) for v in values)


def test_the_public_build_refuses_the_grouped_form_of_an_internal_number(
    tmp_path: Path, handbook_model
) -> None:
    """A number written in national form in the data, pasted as pages show it, is caught."""
    team = next(t for t in handbook_model.teams if t.id == "communications")
    number = next(c for c in team.contacts if c.type == "phone")
    assert number.visibility == "internal"
    grouped = phones.display(number.value)  # "+1 201-555-0130", from "(201) 555-0130"
    assert grouped != number.value and "(" not in grouped
    project = copy_project(tmp_path / "project")
    clean = build(project, tmp_path / "clean", "--audience", "public")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    digits = re.sub(r"\D", "", number.value)
    for page in (tmp_path / "clean").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert grouped not in text and number.value not in text, page
        assert digits not in re.sub(r"[\s()+-]", "", text), page

    with (project / "docs" / "index.md").open("a", encoding="utf-8") as index:
        index.write(f"\nOut of hours, the press desk answers on {grouped}.\n")
    refused = build(project, tmp_path / "leaky", "--audience", "public")
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "Traceback" not in output
    assert "index.html: internal value of teams 'communications'.contacts[" in output
    assert "public build refused; nothing written" in output
    assert grouped not in output
