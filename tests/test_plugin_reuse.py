"""The plugin in a site it did not come with: a plain ``mkdocs new`` site plus ``data/``.

It adds the default pages the site lacks (so every generated link lands), keeps the
site's own pages, never replaces one, takes its options, and lends its macros to the
site's own pages.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from handbook.model import Handbook
from handbook.print_html import header
from handbook.site import Site
from tests.conftest import REPO, TODAY, check_links, run


def _site(tmp_path: Path, config: str, pages: dict[str, str] | None = None) -> Path:
    """A fresh site as ``mkdocs new`` makes it, with the example's data and this config."""
    root = tmp_path / "site-src"
    completed = run([sys.executable, "-m", "mkdocs", "new", str(root)], tmp_path)
    assert completed.returncode == 0, completed.stderr
    shutil.copytree(REPO / "data", root / "data")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for src, text in (pages or {}).items():
        (root / "docs" / src).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / src).write_text(text, encoding="utf-8")
    return root


def _build(root: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "built"]
    completed = run(command, root)
    return completed.returncode, completed.stdout + completed.stderr


PLAIN = "site_name: My Docs\nplugins:\n  - search\n  - handbook\n"


def test_a_plain_site_gets_every_page_its_links_need(tmp_path: Path) -> None:
    root = _site(tmp_path, PLAIN)
    status, output = _build(root)
    assert status == 0, output
    built = root / "built"
    assert "Welcome to MkDocs" in (built / "index.html").read_text()  # its own page stays
    matrix = (built / "severities/index.html").read_text()
    assert 'id="severity-p1"' in matrix  # a default page, its macros rendered
    assert "{{" not in matrix
    assert (built / "runbooks/oracle-outage/index.html").is_file()
    assert (built / "assets/stylesheets/handbook.css").is_file()
    contacts = (built / "contacts/index.html").read_text()
    assert "handbook.css" in contacts
    assert "assets/stylesheets/print.css" in contacts  # printing a page keeps its print styles
    offline = (built / "offline.html").read_text()  # the go-bag holds the default pages too
    assert 'id="page-severities--severity-p1"' in offline
    assert check_links(built) > 50


def test_a_page_where_a_record_page_goes_is_never_replaced(tmp_path: Path) -> None:
    mine = "# Our own oracle notes\n"
    root = _site(tmp_path, PLAIN, {"runbooks/oracle-outage.md": mine})
    status, output = _build(root)
    assert status == 1
    assert "runbooks/oracle-outage.md" in output
    assert "nothing was replaced" in output
    assert "Traceback" not in output
    assert not (root / "built").exists()
    assert (root / "docs/runbooks/oracle-outage.md").read_text() == mine


def test_the_data_folder_is_an_option(tmp_path: Path) -> None:
    config = PLAIN.replace("  - handbook\n", "  - handbook:\n      data_dir: response/data\n")
    root = _site(tmp_path, config)
    (root / "response").mkdir()
    shutil.move(root / "data", root / "response/data")
    status, output = _build(root)
    assert status == 0, output
    assert (root / "built/runbooks/oracle-outage/index.html").is_file()
    shutil.rmtree(root / "response")
    status, output = _build(root)
    assert status == 1
    assert "no data folder at" in output and "response/data" in output


def test_an_unknown_option_is_refused(tmp_path: Path) -> None:
    config = PLAIN.replace("  - handbook\n", "  - handbook:\n      data_folder: data\n")
    status, output = _build(_site(tmp_path, config))
    assert status == 1
    assert "data_folder" in output


def test_the_sites_own_pages_may_call_the_macros(tmp_path: Path) -> None:
    config = PLAIN + "  - macros:\n      modules: [handbook.macros]\n      on_undefined: strict\n"
    page = "# Our escalation\n\nWho we call:\n\n{{ severity_matrix() }}\n"
    root = _site(tmp_path, config, {"ours.md": page})
    status, output = _build(root)
    assert status == 0, output
    ours = (root / "built/ours/index.html").read_text()
    assert 'id="severity-p1"' in ours
    # A default page is rendered once, by the plugin: mkdocs-macros leaves it alone.
    assert "{{" not in (root / "built/contacts/index.html").read_text()


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_site_name_becomes_the_organisations(tmp_path: Path, name: str) -> None:
    root = _site(tmp_path, PLAIN.replace("My Docs", repr(name)))
    status, output = _build(root)
    assert status == 0, output
    assert "<title>" in (built := (root / "built/index.html").read_text())
    assert "Harbor Finance incident handbook" in built


def _hrefs(built: Path) -> set[str]:
    """Every href of every page of a built site."""
    found: set[str] = set()
    for page in built.rglob("*.html"):
        found |= set(re.findall(r'href="([^"]*)"', page.read_text(encoding="utf-8")))
    return found


def test_chosen_sections_only_and_no_link_to_a_section_left_out(tmp_path: Path) -> None:
    config = PLAIN.replace(
        "  - handbook\n", "  - handbook:\n      sections: [severities, contacts, escalation]\n"
    )
    root = _site(tmp_path, config)
    status, output = _build(root)
    assert status == 0, output
    built = root / "built"
    assert (built / "severities/index.html").is_file()
    assert (built / "contacts/index.html").is_file()
    for left_out in ("runbooks", "dependencies", "risks", "roles", "signals", "policy"):
        assert not (built / left_out).exists(), left_out
    escalation = (built / "escalation/index.html").read_text()
    assert 'href="../contacts/#team-secops"' in escalation  # a section the site has: linked
    # Role names stay as text: the roles' pages are not part of this site.
    assert "Incident Leader" in (built / "severities/index.html").read_text()
    assert not any("roles/" in h or "runbooks/" in h or "signals/" in h for h in _hrefs(built))
    offline = (built / "offline.html").read_text()
    assert 'id="page-severities--severity-p1"' in offline
    assert 'id="page-runbooks' not in offline  # the go-bag holds the site's pages only
    assert check_links(built) > 10


def test_record_pages_come_with_their_section(tmp_path: Path) -> None:
    config = PLAIN.replace("  - handbook\n", "  - handbook:\n      sections: [runbooks]\n")
    root = _site(tmp_path, config)
    status, output = _build(root)
    assert status == 0, output
    built = root / "built"
    assert (built / "runbooks/oracle-outage/index.html").is_file()
    assert not (built / "roles").exists() and not (built / "severities").exists()
    runbook = (built / "runbooks/oracle-outage/index.html").read_text()
    assert "handbook-severity" in runbook  # the badge stays, unlinked
    assert not any(h.startswith(("../../severities", "../../contacts")) for h in _hrefs(built))
    check_links(built)


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    config = PLAIN.replace(
        "  - handbook\n", "  - handbook:\n      sections: [severities, oncall]\n"
    )
    status, output = _build(_site(tmp_path, config))
    assert status == 1
    assert "oncall" in output and "severities" in output
    assert "Traceback" not in output


def test_a_printed_qr_code_never_points_at_a_page_the_site_left_out(
    handbook_model: Handbook,
) -> None:
    full = Site(handbook_model, TODAY)
    assert "escalation/#escalation-p1" in header(full, "card", "escalation.md#escalation-p1")
    partial = Site(handbook_model, TODAY, pages=frozenset({"index.md", "severities.md"}))
    printed = header(partial, "card", "escalation.md#escalation-p1")
    assert "escalation" not in printed
    assert f'href="{handbook_model.info.public_url}/"' in printed  # the home page instead
