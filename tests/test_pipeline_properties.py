"""Property tests: whatever the data says, validation answers with diagnostics, never a crash."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook.diagnostics import Level
from handbook.load import LoadedData, load_data
from handbook.pipeline import Project, build_model, check
from handbook.reader import read_bytes
from tests.conftest import BASE, SCHEMAS, TODAY

PROJECT = Project(BASE, BASE / "data", SCHEMAS)
RULES = {
    "yaml",
    "schema",
    "unique-id",
    "reference",
    "runbook-owner",
    "dependency-degraded-mode",
    "severity-response",
    "signal-runbook",
    "intervention-authority",
    "role-conflict",
    "placeholder",
    "secret",
    "visibility",
    "file-name",
    "review-date",
    "engine-version",
    "never-reviewed",
    "no-verification",
    "no-severity",
    "no-escalation",
    "no-quorum",
    "no-trust-cost",
    "unrated-risk",
    "unowned-risk",
    "runbook-steps",
    "example-leftover",
    "review-overdue",
    "missing-file",
    "unknown-file",
    "fact-reference",
    "fact-contradiction",
    "drill-record",
    "never-drilled",
    "action-item-overdue",
    "action-item-due-soon",
    "risk-history",
    "incident-timeline",
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.sampled_from(
        [
            "",
            "P1",
            "P9",
            "scribe",
            "secops",
            "2026-02-30",
            "2026-10-01",
            "15m",
            "TBD",
            "+15550100100",
            "[Name]",
            "https://example.org",
            "x" * 300,
        ]
    ),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _fresh() -> LoadedData:
    return load_data(PROJECT.data_dir, PROJECT.root)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mutation_of_valid_data_yields_diagnostics_not_exceptions(data: st.DataObject) -> None:
    loaded = _fresh()
    kind = data.draw(st.sampled_from(sorted(k for k, docs in loaded.documents.items() if docs)))
    document = data.draw(st.sampled_from(loaded.documents[kind]))
    targets = _paths(document.data)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(targets))
        parent = document.data
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(values))
        targets = _paths(document.data) or [()]
        if targets == [()]:
            break
    diagnostics = check(loaded, PROJECT, TODAY)
    assert {d.rule for d in diagnostics} <= RULES
    if not any(d.level is Level.ERROR for d in diagnostics):
        build_model(loaded)  # whatever passes validation must build the model


@settings(max_examples=150, deadline=None)
@given(values)
def test_any_document_in_place_of_a_runbook_is_judged_not_crashed(value: Any) -> None:
    loaded = _fresh()
    raw = yaml.safe_dump(value, allow_unicode=True).encode("utf-8")
    document, problems = read_bytes(raw, "data/runbooks/fuzz.yml")
    if document is not None:
        loaded.documents["runbooks"].append(document)
    loaded.diagnostics.extend(problems)
    diagnostics = check(loaded, PROJECT, TODAY)
    assert any(d.file == "data/runbooks/fuzz.yml" for d in diagnostics)


def test_base_fixture_builds_a_model() -> None:
    assert check(_fresh(), PROJECT, TODAY) == []
    assert build_model(_fresh()).runbooks


def test_paths_helper_sees_nested_nodes() -> None:
    assert _paths({"a": [1, {"b": 2}]}) == [("a",), ("a", 0), ("a", 1), ("a", 1, "b")]
