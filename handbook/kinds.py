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
    noun: str  # one record, in sentences: "runbook oracle-outage"
    # Core kinds must be there; any other may be absent (no file, no folder) and is empty.
    required: bool = False

    @property
    def schema(self) -> str:
        """File name of the kind's JSON Schema in ``schemas/``."""
        return f"{self.name}.schema.json"

    @property
    def location(self) -> str:
        """Path under ``data/``: a file, or a folder for one-file-per-record kinds."""
        return self.name if self.layout is Layout.DIRECTORY else f"{self.name}.yml"

    @property
    def template(self) -> str:
        """File name of the kind's commented template in ``templates/``: one record."""
        return f"{self.noun}.yml" if self.layout is Layout.DIRECTORY else f"{self.name}.yml"

    @property
    def has_ids(self) -> bool:
        """Whether records of this kind carry an ``id`` that others refer to."""
        return self.layout is not Layout.OBJECT


KINDS: tuple[Kind, ...] = (
    Kind("handbook", Layout.OBJECT, "handbook", required=True),
    Kind("policy", Layout.OBJECT, "policy", required=True),
    Kind("roles", Layout.LIST, "role", required=True),
    Kind("people", Layout.LIST, "person", required=True),
    Kind("teams", Layout.LIST, "team", required=True),
    Kind("severities", Layout.LIST, "severity", required=True),
    Kind("runbooks", Layout.DIRECTORY, "runbook", required=True),
    Kind("dependencies", Layout.DIRECTORY, "dependency"),
    Kind("interventions", Layout.LIST, "intervention"),
    Kind("signals", Layout.LIST, "signal"),
    Kind("risks", Layout.LIST, "risk"),
    Kind("communications", Layout.LIST, "communication template"),
)

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
