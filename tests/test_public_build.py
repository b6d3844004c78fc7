"""``handbook build --audience public`` end to end, and builds that reproduce byte for byte.

Each build runs the real command in a subprocess on a copy of the shipped project.
"""

from __future__ import annotations

import gzip
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from handbook.audience import is_public
from handbook.model import Handbook
from tests.conftest import ENV, copy_project
from tests.test_site import handbook_command, rewrite, snapshot

EPOCH = "1795000000"  # 2026-11-18: any fixed date will do


def build(
    project: Path, site: Path, *options: str, seed: str = "0"
) -> subprocess.CompletedProcess[str]:
    env = {**ENV, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed}
    command = [*handbook_command(), "build", "--site-dir", str(site), *options]
    return subprocess.run(
        command, cwd=project, capture_output=True, text=True, check=False, env=env, timeout=600
    )


def texts(site: Path) -> Iterator[tuple[str, bytes]]:
    """(relative path, bytes) of every file, the sitemap decompressed."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            yield (
                path.relative_to(site).as_posix(),
                gzip.decompress(raw) if path.suffix == ".gz" else raw,
            )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("public") / "project")


@pytest.fixture(scope="module")
def public_site(project: Path) -> Path:
    site = project.parent / "public-site"
    done = build(project, site, "--audience", "public")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def test_the_shipped_public_build_passes_its_leak_scan(public_site: Path) -> None:
    assert (public_site / "index.html").is_file()
    assert (public_site / "search" / "search_index.json").is_file()


def test_no_internal_value_of_the_shipped_data_is_in_the_public_build(
    public_site: Path, handbook_model: Handbook
) -> None:
    # Checked here without the leak scan's own code: raw bytes, every internal channel.
    public = {c.value for p in handbook_model.people for c in p.contacts if is_public(c)}
    public |= {c.value for t in handbook_model.teams for c in t.contacts if is_public(c)}
    channels = [
        *(c for p in handbook_model.people for c in p.contacts),
        *(c for t in handbook_model.teams for c in t.contacts),
        *(c for d in handbook_model.dependencies for v in d.contacts for c in v.channels),
    ]
    internal = {c.value for c in channels if not is_public(c)} - public
    assert len(internal) > 20
    phones = {re.sub(r"\D", "", v) for v in internal if v.startswith("+")}
    for name, raw in texts(public_site):
        text = raw.decode("utf-8", errors="replace")
        assert not [v for v in internal if v in text], name
        if not name.startswith("assets/"):  # minified code is full of digits
            numbers = set(re.findall(r"\d{7,}", text.replace(" ", "").replace("-", "")))
            assert not [p for p in phones if any(p in n for n in numbers)], name


def test_internal_records_have_no_page_no_search_entry_and_no_sitemap_url(
    public_site: Path, built_site: Path, handbook_model: Handbook
) -> None:
    risks = [r for r in handbook_model.risks if not is_public(r)]
    mitigations = [m for r in handbook_model.runbooks for m in r.mitigations if not is_public(m)]
    assert risks and mitigations, "the shipped data shows one internal risk and mitigation"
    sitemap = (public_site / "sitemap.xml").read_text(encoding="utf-8")
    index = (public_site / "search" / "search_index.json").read_text(encoding="utf-8")
    for risk in risks:
        assert not (public_site / "risks" / risk.id).exists()
        assert f"/risks/{risk.id}/" not in sitemap
        assert risk.title not in index
    for mitigation in mitigations:
        assert mitigation.title not in index
    # The internal build does show them.
    assert any(r.title for r in risks)
    assert all((built_site / "risks" / r.id / "index.html").is_file() for r in risks)
    internal_index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert all(m.title in internal_index for m in mitigations)


def test_an_internal_phone_planted_in_a_public_field_fails_the_public_build(
    tmp_path: Path, handbook_model: Handbook
) -> None:
    project = copy_project(tmp_path / "project")
    sites = tmp_path / "sites"
    sites.mkdir()
    out = sites / "out"
    first = build(project, out, "--audience", "public")
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(out)

    person, phone = next(
        (p, c.value)
        for p in handbook_model.people
        for c in p.contacts
        if c.type == "phone" and not is_public(c)
    )
    spaced = f"{phone[:2]} {phone[2:5]} {phone[5:8]} {phone[8:]}"  # +1 555 010 0141
    runbook = sorted((project / "data" / "runbooks").glob("*.yml"))[0]

    def plant(data: dict) -> None:
        data["symptoms"].append(f"Customers are told to call {spaced} directly.")

    rewrite(runbook, plant)
    second = build(project, out, "--audience", "public")
    output = second.stdout + second.stderr
    assert second.returncode == 1, output
    assert "Traceback" not in output
    assert f"runbooks/{runbook.stem}/index.html: internal value of people {person.id!r}" in output
    assert "search/search_index.json: internal value" in output
    assert "public build refused; nothing written" in output
    assert phone not in output and spaced not in output
    assert snapshot(out) == before
    assert sorted(p.name for p in sites.iterdir()) == ["out"]
    # The internal build is not scanned: it is meant to show the number.
    third = build(project, sites / "internal")
    assert third.returncode == 0, third.stdout + third.stderr


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_two_builds_of_the_same_input_are_byte_identical(
    project: Path, public_site: Path, audience: str
) -> None:
    first = public_site
    if audience == "internal":
        first = project.parent / "internal-1"
        done = build(project, first, "--audience", "internal", seed="1")
        assert done.returncode == 0, done.stdout + done.stderr
    second = project.parent / f"{audience}-2"
    done = build(project, second, "--audience", audience, seed="2")
    assert done.returncode == 0, done.stdout + done.stderr
    one, two = dict(texts(first)), dict(texts(second))
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    # The gzip header's time stamp too, not only the sitemap inside it.
    assert (first / "sitemap.xml.gz").read_bytes() == (second / "sitemap.xml.gz").read_bytes()
