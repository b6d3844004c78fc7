"""``handbook init``: a starter that lists what to fill in, the example that builds at once."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from handbook.kinds import KINDS
from tests.conftest import REPO, handbook_cli, run

POSITION = re.compile(r"^(data/\S+\.yml):(\d+):(\d+): (error|warning): ")


def _nav(config: Path) -> object:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda *_: None)
    return yaml.load(config.read_text(encoding="utf-8"), Loader=Loader)["nav"]


def test_a_starter_lists_every_value_to_fill_in_with_its_position(tmp_path: Path) -> None:
    made = handbook_cli("init", "ours", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "ours"
    data_files = {p.relative_to(root).as_posix() for p in (root / "data").rglob("*.yml")}
    assert len(data_files) == sum(kind.required for kind in KINDS)
    checked = handbook_cli("validate", cwd=root)
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    lines = checked.stdout.splitlines()[:-1]
    assert lines and all(POSITION.match(line) for line in lines), checked.stdout
    placeholders = [line for line in lines if line.endswith("[placeholder]")]
    assert {POSITION.match(line).group(1) for line in placeholders} == data_files

    # A placeholder is not also reported as a malformed value at the same place.
    def places(rule: str) -> set[str]:
        return {POSITION.match(x).group(0) for x in lines if x.endswith(f"[{rule}]")}

    assert places("schema") & places("placeholder") == set()


def test_a_placeholder_hides_only_its_own_schema_error(tmp_path: Path) -> None:
    handbook_cli("init", "ours", "--example", cwd=tmp_path)
    teams = tmp_path / "ours/data/teams.yml"
    text = teams.read_text(encoding="utf-8")
    emails = re.findall(r"value: (\S+@\S+)", text)
    assert len(emails) >= 2
    text = text.replace(emails[0], '"[EMAIL]"', 1).replace(emails[1], "not-an-email", 1)
    teams.write_text(text, encoding="utf-8")
    out = handbook_cli("validate", cwd=tmp_path / "ours").stdout
    assert re.search(r"placeholder '\[EMAIL\]' left in the data", out), out
    assert "'[EMAIL]' is not a valid email" not in out
    assert "'not-an-email' is not a valid email" in out


def test_the_example_validates_and_builds_at_once(tmp_path: Path) -> None:
    made = handbook_cli("init", "example", "--example", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "example"
    assert handbook_cli("validate", cwd=root).returncode == 0
    built = handbook_cli("build", cwd=root)
    assert built.returncode == 0, built.stdout + built.stderr
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert "<title>Harbor Finance incident handbook</title>" in home
    assert (root / "site/runbooks/oracle-outage/index.html").is_file()
    assert not (root / "docs/index.md").exists()  # the default pages come from the engine


@pytest.mark.parametrize("existing", ["file", "folder"])
def test_init_refuses_what_is_there_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    target = tmp_path / "ours"
    if existing == "file":
        target.write_text("mine", encoding="utf-8")
    else:
        target.mkdir()
        (target / "notes.md").write_text("mine", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    made = handbook_cli("init", "ours", cwd=tmp_path)
    assert made.returncode == 1
    assert "not an empty folder; nothing was written" in made.stderr
    assert "Traceback" not in made.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_the_starter_pins_the_installed_engine(tmp_path: Path) -> None:
    handbook_cli("init", "ours", cwd=tmp_path)
    version = metadata.version("incident-handbook")
    for name in ("handbook-checks.yml", "handbook-publish.yml", "handbook-decision-review.yml"):
        text = (tmp_path / f"ours/.github/workflows/{name}").read_text(encoding="utf-8")
        assert f'"incident-handbook=={version}"' in text
        assert "@ENGINE_VERSION@" not in text


def test_the_starter_site_has_the_examples_pages_in_the_same_order() -> None:
    assert _nav(REPO / "handbook/starter/mkdocs.yml") == _nav(REPO / "mkdocs.yml")


def test_a_template_is_printed_by_kind_or_noun(tmp_path: Path) -> None:
    shown = handbook_cli("template", "runbook", cwd=tmp_path)
    assert shown.returncode == 0
    assert shown.stdout == (REPO / "templates/runbook.yml").read_text(encoding="utf-8")
    assert handbook_cli("template", "roles", cwd=tmp_path).stdout.startswith("#")
    unknown = handbook_cli("template", "playbook", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no kind 'playbook'; one of:" in unknown.stderr and "runbook" in unknown.stderr


def test_version_and_module_entry(tmp_path: Path) -> None:
    version = metadata.version("incident-handbook")
    shown = run([sys.executable, "-m", "handbook", "--version"], tmp_path)
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"handbook {version}"


def _rebranded(tmp_path: Path) -> Path:
    handbook_cli("init", "ours", "--example", cwd=tmp_path)
    root = tmp_path / "ours"
    info = root / "data/handbook.yml"
    info.write_text(
        info.read_text(encoding="utf-8").replace("name: Harbor Finance", "name: Kestrel Labs"),
        encoding="utf-8",
    )
    return root


def test_what_a_rebrand_leaves_of_the_example_is_flagged_where_it_is(tmp_path: Path) -> None:
    root = _rebranded(tmp_path)
    out = handbook_cli("validate", cwd=root).stdout
    left = [line for line in out.splitlines() if line.endswith("[example-leftover]")]
    assert all(POSITION.match(line) and ": warning: " in line for line in left)
    assert any(
        "$.public_url: 'https://handbook.example.org' is the example's public URL" in x
        for x in left
    )
    assert any("'Harbor' is the example organisation's name" in x for x in left)
    assert any("'example.org' is a domain reserved for examples" in x for x in left)

    def in_values(path: Path) -> bool:  # comments are not shown to anyone: not flagged
        return any(
            "Harbor" in line.split(" #")[0]
            for line in path.read_text().splitlines()
            if not line.lstrip().startswith("#")
        )

    harbor_files = {p for p in (root / "data").rglob("*.yml") if in_values(p)}
    flagged = {root / POSITION.match(x).group(1) for x in left if "'Harbor'" in x}
    assert flagged == harbor_files


def test_a_handbook_made_its_own_is_not_flagged(tmp_path: Path) -> None:
    root = _rebranded(tmp_path)
    for path in (root / "data").rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bHarbor\b", "Kestrel", text)
        text = re.sub(r"example\.(com|org|net)", r"kestrel-labs.\1", text)
        path.write_text(text, encoding="utf-8")
    checked = handbook_cli("validate", cwd=root)
    assert "[example-leftover]" not in checked.stdout
    assert checked.returncode == 0, checked.stdout


def test_the_example_itself_and_a_starter_carry_no_leftover(tmp_path: Path) -> None:
    assert "[example-leftover]" not in handbook_cli("validate", cwd=REPO).stdout
    handbook_cli("init", "starter", cwd=tmp_path)
    assert "[example-leftover]" not in handbook_cli("validate", cwd=tmp_path / "starter").stdout


def test_every_command_the_starter_readme_names_is_accepted() -> None:
    """A team follows its README at 3 a.m.: each `handbook ...` it shows must parse."""
    from handbook.cli import _parser

    text = (REPO / "handbook/starter/README.md").read_text(encoding="utf-8")
    commands = re.findall(r"`handbook ([^`]+)`", text)
    assert len(commands) >= 8
    parser = _parser()
    for command in commands:
        words = re.sub(r'"[^"]*"', "TITLE", command).split()
        words = ["x" if w.startswith("<") else w for w in words]
        try:
            parser.parse_args(words)
        except SystemExit as exc:  # argparse's way of refusing
            pytest.fail(f"`handbook {command}`: refused ({exc.code})")
