"""``handbook diff`` on the shipped example: what a decision maker must see, and what is noise.

Each test commits the shipped data to a scratch git repository, edits it as a pull request
would, and reads the Markdown a reviewer gets (and the ``--fail-on weakening`` gate).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from handbook.cli import main
from tests.conftest import REPO, git_commit_all
from tests.test_diff import section


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A git repository holding the shipped example's data in one commit."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "data", root / "data")
    return git_commit_all(root)


def diff(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    status = main(["-C", str(root), "diff", "HEAD", *args])
    return status, capsys.readouterr().out


def rewrite(path: Path, change: Any) -> None:
    """Load a YAML file, let ``change`` edit the data in place, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def weakening(out: str) -> list[str]:
    return section(out, "Weakens readiness").strip().splitlines()


def test_lowering_any_intervention_quorum_is_weakening(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = []

    def lower(interventions: list[dict[str, Any]]) -> None:
        for intervention in interventions:
            quorum = intervention.get("authorised_by", {}).get("quorum")
            if quorum is None:
                continue
            before = f"{quorum['required']}-of-{quorum['of']}"
            if quorum["required"] > 1:
                quorum["required"] -= 1
            else:
                quorum["of"] += 1  # one signature among more signers
            after = f"{quorum['required']}-of-{quorum['of']}"
            expected.append(
                f"- **authority widened**: intervention {intervention['title']}: "
                f"quorum {before} → {after}"
            )

    rewrite(shipped / "data" / "interventions.yml", lower)
    assert len(expected) >= 5
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 1
    assert sorted(weakening(out)) == sorted(expected)
    assert f"### Weakens readiness: {len(expected)} changes need decision-maker review" in out


def test_p1_without_decision_makers_fallback_and_public_address_are_weakening(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = shipped / "data"

    def drop_decision_makers(levels: list[dict[str, Any]]) -> None:
        levels[0]["involved_roles"].remove("decision-maker")

    def settings(handbook: dict[str, Any]) -> None:
        handbook["fallback_team"] = "infrastructure"
        handbook["public_url"] = "https://handbook.other.example"

    rewrite(data / "severities.yml", drop_decision_makers)
    rewrite(data / "handbook.yml", settings)
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 1
    assert weakening(out) == [
        "- **reach narrowed**: handbook settings: fallback team secops → infrastructure",
        "- **reach narrowed**: severity P1 (Critical): involved roles decision-maker removed",
        "- **exposure widened**: handbook settings: public url https://handbook.example.org → "
        "https://handbook.other.example",
    ]


def values(node: Any) -> Iterator[Any]:
    """Every scalar inside a YAML value."""
    if isinstance(node, dict):
        for child in node.values():
            yield from values(child)
    elif isinstance(node, list):
        for child in node:
            yield from values(child)
    else:
        yield node


def records_naming(data: Path, team: str) -> int:
    """How many records (a file's object, or one entry of a list file) hold ``team`` as a value."""
    count = 0
    for path in sorted(data.rglob("*.yml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        records = loaded if isinstance(loaded, list) else [loaded]
        count += sum(1 for r in records if r.get("id") != team and team in values(r))
    return count


def test_renaming_a_team_is_one_rename_per_record_and_weakens_nothing(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = shipped / "data"
    users = records_naming(data, "secops")
    assert users >= 10
    reference = re.compile(r"^(\s*(?:- )?(?:id|team|owner|fallback_team): )secops$", re.M)
    for path in data.rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(reference.sub(r"\1security-ops", text), encoding="utf-8")
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 0
    assert "No change weakens readiness." in out and "### Weakens" not in out
    lines = [line.strip() for line in out.splitlines() if line.startswith("  - ")]
    assert lines.count("- uses the renamed team secops → security-ops") == users
    assert lines.count("- renamed secops → security-ops") == 1
    assert len(lines) == users + 1  # nothing else: no owner or escalation change


def test_a_rebrand_is_not_weakening(shipped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = shipped / "data"

    def rebrand(handbook: dict[str, Any]) -> None:
        handbook["organisation"]["name"] = "Anchorage Lending"

    def reorder(levels: list[dict[str, Any]]) -> None:
        steps = levels[1]["escalation"]
        steps[0], steps[1] = steps[1], steps[0]
        levels[0]["escalation"][0]["note"] += " Say it is Anchorage."

    rewrite(data / "handbook.yml", rebrand)
    rewrite(data / "severities.yml", reorder)
    runbooks = data / "runbooks"
    (runbooks / "rpc-outage.yml").rename(runbooks / "rpc-provider-outage.yml")
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 0, out
    other = section(out, "Other changes")
    assert "organisation name Harbor Finance → Anchorage Lending" in other
    assert (
        "escalation order team secops, role incident-leader, … → role incident-leader, "
        "team secops, …" in other
    )
    assert re.search(r"escalation step team secops note .* → .*Say it is Anchorage\.\n", other)
    assert (
        "moved from data/runbooks/rpc-outage.yml to data/runbooks/rpc-provider-outage.yml" in other
    )
    assert out.count("\n  - ") == 4  # one line per change, no removal-plus-addition


def test_a_renamed_runbook_is_one_rename_and_its_users_follow(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runbooks = shipped / "data" / "runbooks"
    text = (runbooks / "rpc-outage.yml").read_text(encoding="utf-8")
    (runbooks / "rpc-outage.yml").unlink()
    (runbooks / "node-provider-outage.yml").write_text(
        text.replace("id: rpc-outage", "id: node-provider-outage"), encoding="utf-8"
    )
    for path in shipped.joinpath("data").rglob("*.yml"):
        body = path.read_text(encoding="utf-8")
        path.write_text(
            re.sub(r"(runbook: |- )rpc-outage$", r"\1node-provider-outage", body, flags=re.M),
            encoding="utf-8",
        )
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 0, out
    assert "  - renamed rpc-outage → node-provider-outage\n" in out
    assert "removed" not in out and "added" not in out
    assert "uses the renamed runbook rpc-outage → node-provider-outage" in out


def test_the_gate_passes_strengthening_and_json_says_why(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tighten(levels: list[dict[str, Any]]) -> None:
        levels[1]["update_cadence"] = "30m"

    rewrite(shipped / "data" / "severities.yml", tighten)
    status, out = diff(capsys, shipped, "--fail-on", "weakening")
    assert status == 0
    assert section(out, "Strengthens readiness").strip() == (
        "- **time tightened**: severity P2 (High): update cadence 1h → 30m"
    )
    import json

    status, out = diff(capsys, shipped, "--format", "json", "--fail-on", "weakening")
    (change,) = json.loads(out)["changes"]
    assert (status, change["weakens"], change["effect"], change["category"]) == (
        0,
        False,
        "strengthens",
        "time",
    )
