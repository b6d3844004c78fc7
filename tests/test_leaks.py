"""The leak scan's matcher and file reader: what it finds, how, and what it refuses to skip."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

import handbook.leaks as leaks
from handbook import phones
from handbook.leaks import Needles, Secret, Texts, file_texts, normalise, phone_forms, scan
from tests.conftest import growth

PHONE = Secret("+15550100101", "people 'ana-silva'.contacts[0] (phone channel)")
UK = Secret("+442079460000", "dependencies 'x'.contacts[0].channels[0] (phone channel)")
BERLIN = Secret("+493012345678", "teams 'berlin'.contacts[0] (phone channel)")
NAME = Secret("Dev Patel", "people 'dev-patel'.name", words=True)
TEAM = Secret("Ops", "teams 'ops'.name", words=True)
EMAIL = Secret("ines@example.org", "people 'ines'.contacts[1] (email channel)")
HANDLE = Secret("@ines.moreau", "people 'ines'.contacts[0] (chat channel)")


def found(text: str, *secrets: Secret, code: str = "") -> list[str]:
    return [s.value for s in Needles(secrets).find(prose=text, code=code)]


# --- Normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        # fullwidth letters (NFKC)
        ("\uff24\uff25\uff36 \uff30\uff41\uff54\uff45\uff4c", "dev patel"),
        ("De\u200bv Pa\u00adtel", "dev patel"),  # zero-width space, soft hyphen (Cf)
        ("Inès Sofía", "ines sofia"),  # accents
        # Arabic-Indic, fullwidth and Persian digits
        ("\u0660\u0661\u0662\u0663 \uff10\uff11\uff12 \u06f4\u06f5", "0123 012 45"),
        ("a\u2011b\u2013c\u2014d", "a-b-c-d"),  # non-breaking hyphen, en and em dash (Pd)
        ("a\u00a0b\u2009c\u3000d", "a b c d"),  # no-break, thin, ideographic space (Zs)
    ],
)
def test_text_is_normalised_before_it_is_compared(written: str, compared: str) -> None:
    assert normalise(written) == compared


# --- Names and values --------------------------------------------------------------------


def test_a_name_is_found_as_whole_words_whatever_lies_between_them() -> None:
    for text in (
        "Wake Dev Patel, who keeps the admin key at home",
        "wake DEV-PATEL",
        "ask dev_patel or dev.patel",
        "Dev\nPatel",
        "De\u200bv Patel",
    ):
        assert found(text, NAME) == ["Dev Patel"], text
    for text in ("Devon Patel", "Dev Patelson", "Patel Dev", "Dev and Patel"):
        assert found(text, NAME) == [], text


def test_a_short_name_of_one_word_is_looked_for_in_text_not_in_code() -> None:
    assert found("Page Ops now.", TEAM) == ["Ops"]
    assert found("DevOps and opsgenie", TEAM) == []
    assert found("", TEAM, code="function ops(x) { return x.ops }") == []
    assert found("", NAME, code="// call Dev Patel") == ["Dev Patel"]  # two words: also in code


def test_a_channel_value_keeps_its_punctuation() -> None:
    assert found("chat with @ines.moreau", HANDLE) == ["@ines.moreau"]
    assert found("chat with ines.moreau", HANDLE) == ["@ines.moreau"]
    assert found("Inès Moreau leads", HANDLE) == []  # her public name is not her handle
    assert found("write to ines @ example . org", EMAIL) == ["ines@example.org"]
    assert found("write to ines\u200b@exam\u200bple.org", EMAIL) == ["ines@example.org"]
    assert found("write to bines@example.org or ines@example.organic", EMAIL) == []


def test_a_value_of_one_bare_word_is_not_looked_for_but_one_with_a_sign_is() -> None:
    assert found("switch the flag on", Secret("on", "x")) == []
    assert found("ask in #ops now", Secret("#ops", "x")) == ["#ops"]
    assert found("the ops team", Secret("#ops", "x")) == []


# --- Phone numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "+15550100101",
        "+1 555 010 0101",
        "+1 (555) 010-0101",
        "15550100101",
        "555-010-0101",
        "555.010.0101",
        "555/010/0101",
        "[555] 010 0101",
        "+1\u00a0555\u00a0010\u00a00101",  # no-break spaces
        "+1\u2009555\u2009010\u20090101",  # thin spaces
        "+1\u2011555\u2011010\u20110101",  # non-breaking hyphens
        "+1 555 \u2013 010 \u2013 0101",  # en dashes with spaces
        "\uff0b\uff11\uff15\uff15\uff15\uff10\uff11\uff10\uff10\uff11\uff10\uff11",  # fullwidth
        "+\u0661\u0665\u0665\u0665\u0660\u0661\u0660\u0660\u0661\u0660\u0661",  # Arabic-Indic
        "+1555\u200b0100101",  # zero-width space
        "+1555\u00ad0100101",  # soft hyphen
    ],
)
def test_a_phone_is_found_however_it_is_written(written: str) -> None:
    assert found(f"Call {written} now.", PHONE) == [PHONE.value]


@pytest.mark.parametrize(
    ("secret", "written"),
    [
        (UK, "020 7946 0000"),  # the national form: trunk 0 instead of +44
        (UK, "+44 (0)20 7946 0000"),
        (UK, "0044 20 7946 0000"),
        (UK, "20 7946 0000"),
        (BERLIN, "030 12345678"),
        (BERLIN, "030/1234-5678"),
        (BERLIN, "+49 30 1234 5678"),
    ],
)
def test_a_phone_is_found_in_its_national_form(secret: Secret, written: str) -> None:
    assert found(f"<p>Call {written}</p>", secret) == [secret.value]


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("(201) 555-0130", "US"),  # national in the data: the model holds +12015550130
        ("+1 201 555 0130", None),
        ("020 7946 0142", "GB"),
        ("030 901820", "DE"),
        ("0491 570 156", "AU"),
    ],
)
def test_an_internal_phone_is_found_in_the_grouped_form_pages_show(
    written: str, region: str | None
) -> None:
    """What the model holds (E.164) is found as the renderers show it (``phones.display``)."""
    value = phones.normalise(written, region)
    assert value is not None
    secret = Secret(value, "teams 'comms'.contacts[0] (phone channel)")
    shown = phones.display(value)
    assert shown not in (value, written) and " " in shown
    assert found(f"<p>Out of hours: {shown}.</p>", secret) == [value]
    assert found(f"<a href='{phones.tel_url(value)}'>{shown}</a>", secret) == [value]
    assert found(f"<p>Out of hours: {shown[:-1]}.</p>", secret) == []  # one digit short


def test_the_country_code_is_read_from_the_number() -> None:
    assert phone_forms("+442079460000") == ({"442079460000", "02079460000"}, {"2079460000"})
    assert phone_forms("+15550100101") == ({"15550100101", "05550100101"}, {"5550100101"})
    assert phone_forms("+35312345678")[1] == {"12345678"}  # three-digit code (Ireland)
    assert phone_forms("ana@example.org") == (set(), set())


def test_other_numbers_are_left_alone() -> None:
    text = "Call +15550100102, or 5550100, or 2026-11-23, or 95550100101 1."
    assert found(text, PHONE) == []
    # The number without country code must start and end where a group does.
    assert found("ref 25550100101 9", PHONE) == []


def test_a_phone_split_by_inline_code_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>Call <code>+1</code><code>555</code> <em>010</em>-0101</p>", "utf-8")
    leaks_found, unreadable = scan(tmp_path, [PHONE])
    assert unreadable == [] and [leak.secret for leak in leaks_found] == [PHONE]


def test_a_value_in_an_attribute_or_a_script_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(f"<a href='tel:{PHONE.value}'>call</a>", "utf-8")
    (tmp_path / "b.html").write_text("<script>var who = 'Dev Patel';</script>", "utf-8")
    (tmp_path / "c.html").write_text("<div class='ops'>Ops</div><script>ops()</script>", "utf-8")
    (tmp_path / "d.html").write_text("<script>ops(); Ops.run()</script>", "utf-8")
    leaks_found, _ = scan(tmp_path, [PHONE, NAME, TEAM])
    assert sorted((leak.file, leak.secret.value) for leak in leaks_found) == [
        ("a.html", PHONE.value),
        ("b.html", "Dev Patel"),
        ("c.html", "Ops"),  # in the text of the page, not in its class or script
    ]


def test_an_entity_or_percent_encoded_value_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>In&egrave;s O&#x27;Moreau &#43;15550100101</p>", "utf-8")
    (tmp_path / "b.xml").write_text("<loc>mailto:ines%40example.org</loc>", "utf-8")
    (tmp_path / "c.js").write_text('x = "ines\\u0040example.org"', "utf-8")
    name = Secret("Inès O'Moreau", "people 'ines'.name", words=True)
    leaks_found, _ = scan(tmp_path, [name, EMAIL, PHONE])
    assert sorted((leak.file, leak.secret.value) for leak in leaks_found) == [
        ("a.html", PHONE.value),
        ("a.html", name.value),
        ("b.xml", EMAIL.value),
        ("c.js", EMAIL.value),
    ]


def test_a_value_that_reading_changes_is_also_looked_for_as_written(tmp_path: Path) -> None:
    odd = Secret("R&amp;D room", "teams 'rd'.name", words=True)
    (tmp_path / "a.html").write_text("<p>See R&amp;D room</p>", "utf-8")
    assert odd.escapable and not Secret("About 18% of it", "x").escapable
    leaks_found, _ = scan(tmp_path, [odd])
    assert [leak.secret for leak in leaks_found] == [odd]


def test_the_message_shows_only_a_short_prefix(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>Wake Dev Patel</p>", "utf-8")
    ((leak,), _) = scan(tmp_path, [NAME])
    assert leak.message == (
        "a.html: internal value of people 'dev-patel'.name ('Dev …') is in the public build"
    )
    assert "Patel" not in leak.message


# --- Reading files -----------------------------------------------------------------------

SHEET = "Who\tPhone\nDev Patel\t+1 555 010 0101\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_text_file_with_a_byte_order_mark_is_decoded_and_scanned(
    tmp_path: Path, encoding: str
) -> None:
    raw = SHEET.encode(encoding)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    (tmp_path / "on-call.txt").write_bytes(bom + raw)
    leaks_found, unreadable = scan(tmp_path, [PHONE, NAME])
    assert unreadable == []
    assert sorted(leak.secret.value for leak in leaks_found) == [PHONE.value, "Dev Patel"]


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("on-call.txt", SHEET.encode("utf-16-le"), "binary, or UTF-16/32 text without a byte"),
        ("notes.txt", "Inès".encode("latin-1"), "not UTF-8 text"),
        ("blob.bin", bytes(range(256)), "binary, or UTF-16/32 text without a byte"),
        ("photo.png", b"GIF89a" + b"\0" * 20, "binary, or UTF-16/32 text"),  # not a PNG
        ("broken.pdf", b"%PDF-1.7 not really", ""),
        ("broken.xml.gz", b"not gzip", "not a valid gzip file"),
        ("sheet.xlsx", b"PK\x03\x04 not a zip", "not a readable zip file"),
    ],
)
def test_a_file_that_cannot_be_read_is_reported_not_skipped(
    tmp_path: Path, name: str, raw: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(raw)
    leaks_found, unreadable = scan(tmp_path, [PHONE])
    assert leaks_found == []
    assert len(unreadable) == 1 and unreadable[0].startswith(f"{name}: cannot be scanned: ")
    assert reason in unreadable[0]


def test_images_and_fonts_are_skipped_only_when_their_content_says_so(tmp_path: Path) -> None:
    media = {
        "logo.png": b"\x89PNG\r\n\x1a\n",
        "photo.jpg": b"\xff\xd8\xff\xe0",
        "anim.gif": b"GIF89a",
        "pic.webp": b"RIFF\0\0\0\0WEBP",
        "favicon.ico": b"\x00\x00\x01\x00",
        "font.woff": b"wOFF",
        "font.woff2": b"wOF2",
        "font.ttf": b"\x00\x01\x00\x00",
        "font.otf": b"OTTO",
    }
    for name, magic in media.items():
        (tmp_path / name).write_bytes(magic + b"\0" + PHONE.value.encode())
        assert file_texts(tmp_path / name) is None, name
    (tmp_path / "fake.png").write_bytes(f"call {PHONE.value}".encode())  # text named .png
    leaks_found, unreadable = scan(tmp_path, [PHONE])
    assert unreadable == [] and [leak.file for leak in leaks_found] == ["fake.png"]


def office(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_office_files_are_read_by_their_xml_parts(tmp_path: Path) -> None:
    # Word splits text into runs: a name across two runs is still found.
    docx = office(
        {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": (
                "<w:document><w:body><w:p><w:r><w:t>Wake Dev Pa</w:t></w:r>"
                "<w:r><w:rPr><w:b/></w:rPr><w:t>tel</w:t></w:r></w:p></w:body></w:document>"
            ),
        }
    )
    xlsx = office({"xl/sharedStrings.xml": "<sst><si><t>+1 555 010 0101</t></si></sst>"})
    odt = office({"content.xml": "<office:text><text:p>ines@example.org</text:p></office:text>"})
    (tmp_path / "call-tree.docx").write_bytes(docx)
    (tmp_path / "on-call.xlsx").write_bytes(xlsx)
    (tmp_path / "notes.odt").write_bytes(odt)
    leaks_found, unreadable = scan(tmp_path, [PHONE, NAME, EMAIL])
    assert unreadable == []
    assert sorted((leak.file, leak.secret.value) for leak in leaks_found) == [
        ("call-tree.docx", "Dev Patel"),
        ("notes.odt", EMAIL.value),
        ("on-call.xlsx", PHONE.value),
    ]


def test_an_office_file_with_an_unreadable_part_is_reported(tmp_path: Path) -> None:
    (tmp_path / "sheet.xlsx").write_bytes(office({"xl/data.bin": "\0\1\2"}))
    (tmp_path / "deep.zip").write_bytes(office({"a.zip": office({"b.zip": "x"}).decode("latin-1")}))
    _, unreadable = scan(tmp_path, [PHONE])
    assert [line.split(":")[0] for line in unreadable] == ["deep.zip", "sheet.xlsx"]
    assert "xl/data.bin: binary" in unreadable[1]


def test_what_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leaks, "MAX_UNPACKED", 1000)
    (tmp_path / "big.xml.gz").write_bytes(gzip.compress(b" " * 5000))
    (tmp_path / "big.xlsx").write_bytes(office({"a.xml": " " * 5000}))
    _, unreadable = scan(tmp_path, [PHONE])
    assert [line.split(":")[0] for line in unreadable] == ["big.xlsx", "big.xml.gz"]
    assert all("unpacks to more than" in line for line in unreadable)


def test_a_symbolic_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("nothing", "utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert scan(tmp_path, [PHONE]) == ([], ["link.txt: cannot be scanned: not a regular file"])


def test_scripts_styles_and_attributes_are_code_and_the_rest_is_text() -> None:
    raw = (
        b"<html><head><style>.ops{}</style></head><body class='x'>"
        b"<p>Hello <b>Wo</b>rld</p><SCRIPT type='module'>let a = 1</SCRIPT>after</body></html>"
    )
    texts = leaks._texts("page.html", raw)
    assert isinstance(texts, Texts)
    assert texts.prose.split() == ["Hello", "World", "after"]
    assert ".ops{}" in texts.code and "let a = 1" in texts.code
    assert any("body class='x'" in part for part in texts.code)


# --- Written to slip past ----------------------------------------------------------------


def test_a_phone_spread_by_a_run_of_spaces_or_commas_is_found() -> None:
    # A browser shows a run of spaces as one; commas group digits like dots do.
    for written in ("555      010 0101", "555 \n\t 010 \n 0101", "555,010,0101", "1,555,010,0101"):
        assert found(f"Call {written} now.", PHONE) == [PHONE.value], written


@pytest.mark.parametrize(
    ("written", "secret"),
    [
        ("write to in\u0435s@\u0435xampl\u0435.org", EMAIL),  # Cyrillic e
        ("write to ines@ex\u0430mple.\u043erg", EMAIL),  # Cyrillic a and o
        ("ask @\u0456nes.moreau", HANDLE),  # Cyrillic i
        ("wake D\u0435v P\u03b1t\u0435l", NAME),  # Cyrillic e, Greek alpha
        ("wake DEV \u0420ATEL", NAME),  # Cyrillic capital Er
        ("wake \u0414ev Patel", None),  # Cyrillic De looks like no Latin letter
    ],
)
def test_look_alike_letters_are_read_as_latin(written: str, secret: Secret | None) -> None:
    assert found(written, EMAIL, HANDLE, NAME) == ([secret.value] if secret else [])


def test_the_secret_may_be_written_with_look_alikes_too() -> None:
    greek = Secret("\u039fps B\u03b1y", "teams 'ops'.name", words=True)  # Greek O, alpha
    assert found("Page Ops Bay.", greek) == [greek.value]


def needle_and_text(words: int, value: bool) -> tuple[Secret, str]:
    """A value of ``words`` words, and a text of four near misses of the same length.

    Every word of the value is in the text, only never in that order.
    """
    if value:  # a channel value: words joined by dots
        return Secret("zq." * words + "end", "x"), "end " + ("zq." * words + "fin ") * 4
    return Secret("zq " * words + "end", "x", words=True), "end " + ("zq " * words + "fin\n") * 4


@pytest.mark.parametrize("value", [False, True], ids=["words", "channel-value"])
def test_finding_a_long_value_is_linear_in_the_text(value: bool) -> None:
    # Every "zq" of the text starts a near miss as long as the value: matching from each
    # occurrence again costs occurrences times length (quadratic when both grow).
    def work(needles_and_text: tuple[Needles, str]) -> None:
        needles, text = needles_and_text
        assert needles.find(prose=text) == []

    secret, text = needle_and_text(3, value)
    assert found(text.replace("fin", "end", 1), secret) == [secret.value]
    small, large = (needle_and_text(words, value) for words in (800, 3200))
    assert growth(work, (Needles([small[0]]), small[1]), (Needles([large[0]]), large[1])) < 8
