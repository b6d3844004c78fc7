"""The cost of the worst input: time and peak memory of validating hostile files.

Each scenario adds one generated file to a copy of the small base fixture
(``tests/cases/base``) and runs the whole validation pipeline (``handbook.pipeline.validate``:
reader, schemas, references, every rule). The baseline is the base fixture alone, measured
in the same run; the table gives each scenario's median time, its ratio to the baseline and
the peak memory traced by ``tracemalloc`` (a separate run: tracing slows Python down).

    python -m benchmarks.hostile [--runs 3] [--only NAME ...]

Nothing may cost seconds or hundreds of megabytes: the reader's limits (1 MiB per file,
64 levels, 100,000 nodes) bound every scenario. A second table renders hostile Markdown
fields at the schema's cap (20,000 characters) against prose of the same length.

    python -m benchmarks.hostile --markdown
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.validation import TODAY, median_time, peak_memory
from handbook.diagnostics import Level
from handbook.pipeline import Project, validate
from handbook.reader import Limits
from handbook.schemas import load_schemas

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "tests" / "cases" / "base"
MIB = 1024 * 1024
LIMITS = Limits()
RUNBOOK = "data/runbooks/hostile.yml"


def _fill(head: str, item: str, size: int = MIB - 64) -> str:
    """``head`` followed by as many ``item`` as fit in ``size`` bytes."""
    return head + item * ((size - len(head)) // len(item))


def _people(count: int) -> str:
    """A valid people.yml of ``count`` people (every one a schema-checked record)."""
    person = (
        "- id: person-{n}\n  name: Person {n}\n  team: secops\n  contacts:\n"
        "    - type: email\n      value: p{n}@example.org\n      visibility: public\n"
    )
    return "".join(person.format(n=n) for n in range(count))


def _sentences() -> str:
    sentence = "Rotate the key and page the incident leader before the bridge pauses. "
    return _fill("id: hostile\nsummary: ", sentence)


def _unknown_people() -> dict[str, str]:
    steps = "".join(f"  - person: nobody-{n}\n" for n in range(20_000))
    return {"data/people.yml": _people(5_000), RUNBOOK: f"id: hostile\nescalation:\n{steps}"}


Files = dict[str, str | bytes]
# name -> (file under the project, what it holds, its content or {file: content})
SCENARIOS: dict[str, tuple[str, str, Callable[[], str | bytes | Files]]] = {
    "nesting-at-limit": (
        RUNBOOK,
        "1,400 lists nested 64 deep (the limit)",
        lambda: "id: hostile\ntags:\n" + ("  - " + "[" * 63 + "]" * 63 + "\n") * 1400,
    ),
    "nesting-300k": (
        RUNBOOK,
        "300,000 nested [ (refused at level 65)",
        lambda: "tags: " + "[" * 300_000,
    ),
    "small-nodes-1mib": (
        RUNBOOK,
        "1 MiB of one-word list items (95,000 nodes)",
        lambda: _fill("id: hostile\nsymptoms:\n", "- abcdefgh\n"),
    ),
    "nodes-over-cap": (
        RUNBOOK,
        "100,001 nodes in a flow list (refused at the cap)",
        lambda: "tags: [" + "1," * 100_001 + "]\n",
    ),
    "long-line": (
        RUNBOOK,
        "one 1 MiB string",
        lambda: _fill("id: hostile\nsummary: ", "a"),
    ),
    "long-sentences": (
        RUNBOOK,
        "1 MiB of English in one value (secret and placeholder scans)",
        _sentences,
    ),
    "seed-words": (
        RUNBOOK,
        "1 MiB of BIP-39 words in one value",
        lambda: _fill("id: hostile\nsummary: ", "abandon "),
    ),
    "hex-digits": (
        RUNBOOK,
        "1 MiB of hex digits in one value",
        lambda: _fill("id: hostile\nsummary: 0x", "0123456789abcdef"),
    ),
    "open-brackets": (
        RUNBOOK,
        "1 MiB of '[word word' never closed (placeholder pattern)",
        lambda: _fill("id: hostile\nsummary: '", "[ab cd ef gh ") + "'\n",
    ),
    "blank-run": (
        RUNBOOK,
        "a title of 1 MiB of spaces between two words (comment check)",
        lambda: _fill("id: hostile\ntitle: x", " ") + "y\n",
    ),
    "open-braces": (
        RUNBOOK,
        "1 MiB of '{' in one value ({{ template }} placeholder pattern)",
        lambda: _fill("id: hostile\ntitle: '", "{") + "'\n",
    ),
    "bracket-run": (
        RUNBOOK,
        "1 MiB of '[' in a Markdown summary (link parsing when rendered)",
        lambda: _fill("id: hostile\nsummary: '", "[") + "'\n",
    ),
    "format-chars": (
        RUNBOOK,
        "1 MiB of AKIA split by zero-width spaces (secret normalisation)",
        # Five characters, seven bytes in UTF-8: as many as fit in the 1 MiB limit.
        lambda: _fill("id: hostile\nsummary: ", "AKIA\u200b", (MIB - 64) * 5 // 7),
    ),
    "huge-integers": (
        RUNBOOK,
        "40,000 integers of 19 digits (each refused)",
        lambda: "id: hostile\ntags:\n" + "  - 1234567890123456789\n" * 40_000,
    ),
    "anchors": (
        RUNBOOK,
        "50,000 anchors and aliases (each refused)",
        lambda: "id: hostile\ntags:\n" + "  - &a x\n  - *a\n" * 25_000,
    ),
    "unknown-fields": (
        RUNBOOK,
        "40,000 unknown fields (each a schema error)",
        lambda: "id: hostile\n" + "".join(f"f{n}: x\n" for n in range(40_000)),
    ),
    "duplicate-keys": (
        RUNBOOK,
        "50,000 duplicate keys (each refused)",
        lambda: "id: hostile\n" + "k: x\n" * 50_000,
    ),
    "many-people": (
        "data/people.yml",
        "5,000 valid people in people.yml (1 MiB of real records)",
        lambda: _people(5_000),
    ),
    "unknown-ids": (
        "",
        "20,000 unknown person ids against 5,000 people (two files)",
        _unknown_people,
    ),
    "long-needle": (
        "",
        "an internal risk of 6,665 words and 50 public steps of near misses (two files)",
        lambda: {
            "data/risks.yml": (BASE / "data/risks.yml").read_text(encoding="utf-8")
            + "- id: hostile\n  title: Long risk\n  description: "
            + "zq " * 6664
            + "end\n  likelihood: 1\n  impact: 1\n  owner: secops\n  mitigations: {}\n"
            + "  status: open\n"
            + "  introduced_in: v1.0.0\n  last_reviewed: '2026-10-01'\n  visibility: internal\n",
            RUNBOOK: "id: hostile\ntitle: Hostile\nsummary: Near misses.\nowner: secops\n"
            + "severity: P2\nsymptoms: [x]\nimmediate_actions: [{text: x}]\nmitigations:\n"
            + "  - {id: m, title: M, preference: preferred, when: x, impact: x, verify: x, steps: ["
            + ", ".join(["zq " * 6600 + "end"] * 50)
            + "]}\nescalation: [{team: secops, within: 5m}]\nresolution_checklist: [x]\n"
            + "last_reviewed: '2026-09-15'\nreview_interval_days: 90\n",
        },
    ),
    "oversize-file": (
        RUNBOOK,
        "a 50 MiB file (only 1 MiB + 1 byte is read)",
        lambda: b"a" * (50 * MIB),
    ),
}


def measure(project: Project, runs: int) -> tuple[float, float, int, int]:
    """Median time (s), peak traced memory (MiB), errors and the answer's size in characters."""
    seconds = median_time(lambda: validate(project, today=TODAY, limits=LIMITS), runs)
    peak = peak_memory(lambda: validate(project, today=TODAY, limits=LIMITS))
    result = validate(project, today=TODAY, limits=LIMITS)
    errors = sum(d.level is Level.ERROR for d in result.diagnostics)
    return seconds, peak, errors, sum(len(d.message) for d in result.diagnostics)


# Markdown fields as the site renders them, at the schema's cap of 20,000 characters.
MARKDOWN_CAP = 20_000
MARKDOWN: dict[str, tuple[str, str]] = {
    "brackets": ("[" * MARKDOWN_CAP, "unclosed [ (link parsing)"),
    "bracket-pairs": ("[]" * (MARKDOWN_CAP // 2), "empty [] pairs"),
    "link-targets": ("[a](" * (MARKDOWN_CAP // 4), "[a]( never closed"),
    "backticks": ("`a" * (MARKDOWN_CAP // 2), "unmatched backticks"),
    "angles": ("<a" * (MARKDOWN_CAP // 2), "unclosed < (raw HTML)"),
    "emphasis": ("*_" * (MARKDOWN_CAP // 2), "emphasis markers"),
    "nested-lists": ("1. " * (MARKDOWN_CAP // 3), "a list nested at every item"),
}


def markdown_table(runs: int) -> None:
    """Render time of hostile Markdown fields against prose of the same length."""
    from handbook.markup import markdown

    prose = ("Pause the pool, then page the incident leader. " * 500)[:MARKDOWN_CAP]
    base = median_time(lambda: markdown.__wrapped__(prose), runs)
    print(f"\n{'markdown field':<18} {'chars':>9} {'time s':>8} {'x prose':>8}  what")
    print(f"{'prose':<18} {len(prose):>9} {base:>8.3f} {1:>8.1f}  the baseline")
    for name, (text, what) in MARKDOWN.items():
        seconds = median_time(lambda text=text: markdown.__wrapped__(text), runs)
        print(f"{name:<18} {len(text):>9} {seconds:>8.3f} {seconds / base:>8.1f}  {what}")


def main() -> None:
    """Print one row per scenario, the baseline first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--markdown", action="store_true", help="only the Markdown render table")
    args = parser.parse_args()
    if args.markdown:
        markdown_table(args.runs)
        return
    chosen = args.only or list(SCENARIOS)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        shutil.copytree(BASE, root)
        shutil.copytree(REPO / "schemas", root / "schemas")
        project = Project.at(root)
        load_schemas(project.schema_dir.resolve())  # compile once, outside the timing
        base_s, base_mib, _, _ = measure(project, args.runs)
        print(
            f"{'scenario':<18} {'file':>9} {'errors':>7} {'time s':>8} {'x base':>7} "
            f"{'peak MiB':>9}  what"
        )
        print(
            f"{'base fixture':<18} {'-':>9} {0:>7} {base_s:>8.3f} {1:>7.1f} {base_mib:>9.1f}"
            "  the small valid handbook of tests/cases/base"
        )
        for name in chosen:
            relative, what, make = SCENARIOS[name]
            content = make()
            files: Files = content if isinstance(content, dict) else {relative: content}
            originals = {}
            size = 0
            for path, text in files.items():
                raw = text.encode("utf-8") if isinstance(text, str) else text
                target = root / path
                originals[target] = target.read_bytes() if target.exists() else None
                target.write_bytes(raw)
                size += len(raw)
            try:
                seconds, peak, errors, _ = measure(project, args.runs)
            finally:
                for target, original in originals.items():
                    if original is None:
                        target.unlink()
                    else:
                        target.write_bytes(original)
            size = f"{size / MIB:.2f}M" if size >= MIB // 10 else f"{size // 1024}K"
            print(
                f"{name:<18} {size:>9} {errors:>7} {seconds:>8.3f} {seconds / base_s:>7.1f} "
                f"{peak:>9.1f}  {what}"
            )
    if not args.only:
        markdown_table(args.runs)


if __name__ == "__main__":
    main()
