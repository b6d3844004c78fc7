"""The strict reader: what it types, what it keeps as written, what it refuses and where."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.diagnostics import Diagnostic, Level
from handbook.reader import Limits, Mark, read_bytes
from tests.conftest import growth

QUOTE_IT = "quote it if it is text"
NOT_ALLOWED = "is not allowed (control, separator or bidirectional override)"


def read(text: str | bytes, limits: Limits | None = None) -> tuple[object, list[Diagnostic]]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    document, problems = read_bytes(raw, "f.yml", limits)
    return (document.data if document else None), problems


def refusals(text: str | bytes, limits: Limits | None = None) -> list[tuple[int, int, str]]:
    data, problems = read(text, limits)
    assert data is None
    assert all(p.level is Level.ERROR and p.rule == "yaml" and p.file == "f.yml" for p in problems)
    return [(p.line, p.column, p.message) for p in problems]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("true", True),
        ("false", False),
        ("null", None),
        ("", None),
        ("0", 0),
        ("12", 12),
        ("-3", -3),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("True", "True"),
        ("~", "~"),
        ("+4917612345678", "+4917612345678"),
        ("1.10", "1.10"),
        ("12:30", "12:30"),
        ("010", "010"),
        ("0x1F", "0x1F"),
        ("1e3", "1e3"),
        ("6.8523015e+5", "6.8523015e+5"),
        ("190:20:30.15", "190:20:30.15"),
        ("'.inf'", ".inf"),
        ('".NaN"', ".NaN"),
        (".infinity", ".infinity"),
        ("..nan", "..nan"),
        ("2024-01-15", "2024-01-15"),
        ("'12'", "12"),
        ('"true"', "true"),
    ],
)
def test_scalars_are_typed_only_when_unambiguous(written: str, value: object) -> None:
    data, problems = read(f"key: {written}\n")
    assert problems == []
    assert data == {"key": value}
    assert type(data["key"]) is type(value)  # type: ignore[index]


def test_every_node_keeps_its_line_and_column() -> None:
    document, _ = read_bytes(
        b"# comment\nrunbook:\n  owner: team-a\n  steps:\n    - one\n", "f.yml"
    )
    assert document is not None
    assert document.positions[("runbook", "owner")] == Mark(3, 10)
    assert document.key_positions[("runbook", "owner")] == Mark(3, 3)
    assert document.positions[("runbook", "steps", 0)] == Mark(5, 7)
    # A node that was never written is located at its nearest written ancestor.
    assert document.mark(("runbook", "missing")) == Mark(2, 1)


def test_a_bom_is_tolerated() -> None:
    assert read(b"\xef\xbb\xbfa: 1\n") == ({"a": 1}, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", [(3, 1, "duplicate key 'a' (first written on line 1)")]),
        (
            "a: &x 1\nb: *x\n",
            [
                (1, 4, "anchor &x is not allowed; write the value out"),
                (2, 4, "alias *x is not allowed; write the value out"),
            ],
        ),
        ("a:\n  <<: {b: 1}\n", [(2, 3, "merge key << is not allowed; write the keys out")]),
        ("a: !!str 1\n", [(1, 4, "explicit tag !!str is not allowed")]),
        ("a: !custom x\n", [(1, 4, "explicit tag !custom is not allowed")]),
        ("a: !!map {b: 1}\n", [(1, 4, "explicit tag !!map is not allowed")]),
        ("a: ! text\n", [(1, 4, "explicit tag ! is not allowed")]),
        ("1: a\n", [(1, 1, "key '1' is not a string; quote it")]),
        ("true: a\n", [(1, 1, "key 'true' is not a string; quote it")]),
        ("? [a]\n: 1\n", [(1, 3, "a mapping key must be a plain or quoted string")]),
        ("a: 1\n---\nb: 2\n", [(2, 1, "a file holds exactly one YAML document")]),
        ("", [(1, 1, "file is empty")]),
        ("# only a comment\n", [(1, 1, "file is empty")]),
        ("%YAML 1.1\n---\na: 1\n", [(1, 1, "YAML directives (%YAML, %TAG) are not allowed")]),
        ("a: [1, 2\nb: 3\n", [(2, 2, "invalid YAML: did not find expected ',' or ']'")]),
        (
            "a: " + "9" * 19 + "\n",
            [(1, 4, "integer 9999999999999999999 has more than 18 digits; " + QUOTE_IT)],
        ),
    ],
    ids=[
        "duplicate-key",
        "anchor-alias",
        "merge-key",
        "core-tag",
        "custom-tag",
        "collection-tag",
        "non-specific-tag",
        "int-key",
        "bool-key",
        "complex-key",
        "two-documents",
        "empty",
        "comment-only",
        "directive",
        "syntax",
        "long-integer",
    ],
)
def test_refusals_name_line_and_column(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert refusals(text) == expected


def test_invalid_utf8_is_located() -> None:
    assert refusals(b"a: 1\nb: caf\xc3\n") == [(2, 7, "file is not valid UTF-8 (byte 0xc3)")]


def test_control_characters_are_refused() -> None:
    assert refusals("a: 1\nb: x\x07y\n") == [(2, 5, f"character U+0007 {NOT_ALLOWED}")]
    assert refusals("a: \x00\n") == [(1, 4, f"character U+0000 {NOT_ALLOWED}")]


@pytest.mark.parametrize("char", ["\x85", "\x90", "\u2028", "\u2029", "\u202e", "\ufeff"])
def test_separators_overrides_and_inner_boms_are_refused(char: str) -> None:
    assert refusals(f"a: 1\nb: x{char}y\nc: 2\n") == [
        (2, 5, f"character U+{ord(char):04X} {NOT_ALLOWED}")
    ]


def test_tab_indentation_gets_a_plain_hint() -> None:
    assert refusals("a:\n\t- b\n") == [
        (2, 1, "invalid YAML: a tab is used for indentation; indent with spaces")
    ]


def test_size_cap_is_checked_before_parsing() -> None:
    limits = Limits(max_bytes=10)
    assert refusals("a: 1234567890\n", limits) == [
        (1, 1, "file is larger than the limit of 10 bytes")
    ]


@pytest.mark.parametrize("depth", [65, 10_000, 300_000])
def test_deep_flow_nesting_is_refused_without_crashing(depth: int) -> None:
    assert refusals("[" * depth + "]" * depth, Limits(max_bytes=10**7)) == [
        (1, 65, "nesting deeper than 64 levels is not allowed")
    ]


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * level + "a:\n" for level in range(100))
    assert refusals(text) == [(65, 129, "nesting deeper than 64 levels is not allowed")]


def test_nesting_at_the_limit_is_accepted() -> None:
    data, problems = read("[" * 64 + "]" * 64)
    assert problems == []
    assert data is not None


def test_node_cap() -> None:
    assert refusals("[1, 2, 3, 4]", Limits(max_nodes=4)) == [
        (1, 11, "more than 4 nodes in one file")
    ]


def test_all_non_fatal_refusals_are_collected() -> None:
    found = refusals("a: &x 1\na: 2\nb: !!str 3\n")
    assert [line for line, _, _ in found] == [1, 2, 3]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_load_or_fail_with_our_own_errors(raw: bytes) -> None:
    document, problems = read_bytes(raw, "f.yml")
    assert (document is None) == bool(problems)
    for problem in problems:
        assert problem.rule == "yaml" and problem.line >= 1 and problem.column >= 1


_yamlish = st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!?|>'\"#%@` \n\t<01.~")), max_size=200)


@settings(max_examples=500, deadline=None)
@given(_yamlish)
def test_yaml_like_text_loads_or_fails_with_our_own_errors(text: str) -> None:
    document, problems = read_bytes(text.encode("utf-8"), "f.yml")
    assert (document is None) == bool(problems)


@pytest.mark.parametrize(
    ("written", "meaning"),
    [
        (".inf", "infinity"),
        (".Inf", "infinity"),
        (".INF", "infinity"),
        ("+.inf", "infinity"),
        ("-.inf", "infinity"),
        ("-.Inf", "infinity"),
        (".nan", "not-a-number"),
        (".NaN", "not-a-number"),
        (".NAN", "not-a-number"),
    ],
)
def test_infinity_and_not_a_number_are_refused(written: str, meaning: str) -> None:
    assert refusals(f"a: 1\nb: {written}\n") == [
        (2, 4, f"{written} is YAML's {meaning}; {QUOTE_IT}")
    ]


def test_a_special_float_key_is_refused() -> None:
    assert refusals(".nan: a\n") == [(1, 1, f".nan is YAML's not-a-number; {QUOTE_IT}")]


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        ("\\0", "0000"),
        ("\\e", "001B"),
        ("\\x07", "0007"),
        ("\\N", "0085"),
        ("\\L", "2028"),
        ("\\u202e", "202E"),
        ("\\uFEFF", "FEFF"),
    ],
)
def test_escapes_cannot_smuggle_forbidden_characters(escape: str, code: str) -> None:
    assert refusals(f'a: 1\nb: "x{escape}y"\n') == [
        (2, 4, f"character U+{code} (written as an escape) {NOT_ALLOWED}")
    ]


def test_harmless_escapes_are_kept() -> None:
    assert read('a: "tab\\there \\u00e9 \\\\ \\""\n') == ({"a": 'tab\there é \\ "'}, [])


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: Post in #ops now\n", (1, 12)),
        ("a:\n  - Post in #ops now\n", (2, 13)),
        ("a: a long\n  folded #value\n", (2, 10)),
    ],
)
def test_a_comment_glued_to_a_word_after_a_plain_value_is_refused(
    text: str, where: tuple[int, int]
) -> None:
    message = (
        "' #' starts a YAML comment, so the rest of this line is not part of the value; "
        "quote the whole value"
    )
    assert refusals(text) == [(*where, message)]


def test_a_glued_comment_after_a_long_run_of_blanks_is_still_found() -> None:
    text = "a: x" + " \t" * 5000 + "#ops\n"
    assert refusals(text) == [(1, 10005, refusals("a: x #ops\n")[0][2])]


def test_blank_runs_cost_linear_time() -> None:
    # A title of a million spaces took 11 minutes when the comment check retried its
    # pattern from every blank of the run.
    def run(blanks: int) -> object:
        return read("title: x" + " " * blanks + "y\n", Limits(max_bytes=10**7))

    assert growth(run, 100_000, 400_000) < 8


@pytest.mark.parametrize(
    "text", ["a: x  # a comment\n", "a: 'in #ops'\n", "a: |\n  in #ops\n", "a: b#c\n", "a: x #\n"]
)
def test_comments_and_hashes_that_lose_nothing_are_accepted(text: str) -> None:
    assert read(text)[1] == []
