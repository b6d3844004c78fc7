"""The engine's caches: one owner (handbook.memo), bounded, and emptied when a session ends."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import handbook
from handbook import memo
from handbook.memo import LastRun, PerObject, Recent
from handbook.pipeline import _VALIDATIONS, Project, validate_cached


def _module_caches() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.walk_packages(handbook.__path__, "handbook."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, (LastRun, PerObject, Recent)):
                found.append((f"{info.name}.{name}", value))
    return found


def test_every_cache_of_the_engine_is_owned() -> None:
    caches = _module_caches()
    assert len(caches) >= 7  # reads, schema and text results, scans, book, validations, sites
    owned = {id(c) for c in memo._OWNED}
    assert [name for name, cache in caches if id(cache) not in owned] == []


def test_recent_keeps_the_latest_keys_only() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # now the latest used
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)


def test_a_session_empties_every_cache_when_it_ends(base_project) -> None:
    project = Project.at(base_project)
    runs: LastRun[str, int] = memo.owned(LastRun())
    try:
        with memo.session():
            first = validate_cached(project)
            assert validate_cached(project) is first  # shared inside the session
            runs.run(True)("key", lambda: 1)
        assert _VALIDATIONS.get(base_project.resolve()) is None
        assert runs.run(True)("key", lambda: 2) == 2  # computed again: nothing was kept
        assert validate_cached(project) is not first
    finally:
        memo._OWNED.remove(runs)


def test_a_session_that_fails_still_forgets(base_project) -> None:
    project = Project.at(base_project)
    with pytest.raises(RuntimeError), memo.session():
        validate_cached(project)
        raise RuntimeError("the build broke")
    assert _VALIDATIONS.get(base_project.resolve()) is None
