"""The data kinds of a handbook: where each lives under ``data/`` and which schema checks it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Layout(StrEnum):
    """How a kind's records are stored."""

    OBJECT = "object"  # one file holding one object (handbook.yml, policy.yml)
    LIST = "list"  # one file holding a list of records (roles.yml)
    DIRECTORY = "directory"  # one file per record (runbooks/<id>.yml)


@dataclass(frozen=True)
class Kind:
    """A data kind: its name, storage layout and schema file."""

    name: str
    layout: Layout

    @property
    def schema(self) -> str:
        """File name of the kind's JSON Schema in ``schemas/``."""
        return f"{self.name}.schema.json"

    @property
    def location(self) -> str:
        """Path under ``data/``: a file, or a folder for one-file-per-record kinds."""
        return self.name if self.layout is Layout.DIRECTORY else f"{self.name}.yml"

    @property
    def has_ids(self) -> bool:
        """Whether records of this kind carry an ``id`` that others refer to."""
        return self.layout is not Layout.OBJECT


KINDS: tuple[Kind, ...] = (
    Kind("handbook", Layout.OBJECT),
    Kind("policy", Layout.OBJECT),
    Kind("roles", Layout.LIST),
    Kind("people", Layout.LIST),
    Kind("teams", Layout.LIST),
    Kind("severities", Layout.LIST),
    Kind("runbooks", Layout.DIRECTORY),
    Kind("dependencies", Layout.DIRECTORY),
    Kind("interventions", Layout.LIST),
    Kind("signals", Layout.LIST),
    Kind("risks", Layout.LIST),
    Kind("communications", Layout.LIST),
)

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
