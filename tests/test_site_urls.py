"""Page URLs and relative links, with and without directory URLs."""

from __future__ import annotations

import pytest

from handbook.site import Site, record_source
from tests.conftest import TODAY

TARGETS = ("index.md", "runbooks.md", "runbooks/x.md", "contacts.md#person-a")


@pytest.mark.parametrize(
    ("directory_urls", "page", "expected"),
    [
        (True, "index.md", ["./", "runbooks/", "runbooks/x/", "contacts/#person-a"]),
        (True, "runbooks.md", ["../", "./", "x/", "../contacts/#person-a"]),
        (True, "runbooks/y.md", ["../../", "../", "../x/", "../../contacts/#person-a"]),
        (
            False,
            "index.md",
            ["index.html", "runbooks.html", "runbooks/x.html", "contacts.html#person-a"],
        ),
        (
            False,
            "runbooks/y.md",
            ["../index.html", "../runbooks.html", "x.html", "../contacts.html#person-a"],
        ),
    ],
)
def test_relative_urls(directory_urls: bool, page: str, expected: list[str]) -> None:
    site = Site(None, TODAY, directory_urls=directory_urls)  # type: ignore[arg-type]
    assert [site.page(page).url(t) for t in TARGETS] == expected


def test_asset_urls_point_at_files() -> None:
    site = Site(None, TODAY)  # type: ignore[arg-type]
    assert site.page("templates.md").asset_url("downloads/a.md") == "../downloads/a.md"
    assert site.page("index.md").asset_url("downloads/a.md") == "downloads/a.md"


def test_record_sources() -> None:
    assert record_source("runbooks", "oracle-outage") == "runbooks/oracle-outage.md"
    assert record_source("severities", "P1") == "severities.md#severity-p1"
    assert record_source("people", "ana") == "contacts.md#person-ana"
