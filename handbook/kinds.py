"""The data kinds of a handbook, each declared once; every per-kind table derives from here.

A kind is its schema file, its file layout, whether a handbook must have it, its model
class, who may read it (public, or filtered by ``handbook.audience.FILTERS``), where its
records show in the site (one page each, rendered by a function of
``handbook/render/<kind>.py``, or a section of a shared page), its printed cards, its review
clock, whether removing a record weakens readiness, and the schema fields whose errors
carry a named rule. Adding a kind is a schema, a template, a model class and renderer, and
one ``Kind`` below (``tests/test_kinds.py`` fails on a half-registered one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from handbook import model


class Layout(StrEnum):
    """How a kind's records are stored."""

    OBJECT = "object"  # one file holding one object (handbook.yml, policy.yml)
    LIST = "list"  # one file holding a list of records (roles.yml)
    DIRECTORY = "directory"  # one file per record (runbooks/<id>.yml)


class Visibility(StrEnum):
    """Who may read a kind's records: decided for every kind, none public by accident."""

    PUBLIC = "public"  # every record is public: its schema lets no record say otherwise
    FILTERED = "filtered"  # handbook.audience.FILTERS leaves out what is internal


@dataclass(frozen=True)
class ReviewField:
    """Where one kind keeps its last date, its own interval and the default interval."""

    last: str  # field holding the date of the last review, verification or drill
    interval: str  # the record's own interval in days (optional field)
    default: str  # key in handbook.review_defaults
    activity: str  # "review", "verification", "drill"
    past: str  # "reviewed", "verified", "drilled"
    noun: str  # "Runbook", ...


@dataclass(frozen=True)
class RecordPages:
    """One generated page per record, ``<kind>/<id>.md``, listed on an index page."""

    index: str  # the hand-written index page in docs/ ("runbooks.md")
    render: str  # the function of handbook/render/<kind>.py that renders one record


@dataclass(frozen=True)
class Section:
    """Records shown as anchored sections of one page (``contacts.md#person-ana``)."""

    page: str
    anchor: str  # prefix of each record's HTML id


EVERY = "*"  # in a reference's field path: every item of a list


@dataclass(frozen=True)
class Ref:
    """A field of a kind that must name a record of one of the target kinds."""

    pattern: tuple[str, ...]  # field names; EVERY stands for every item of a list
    targets: tuple[str, ...]  # kind names
    rule: str = "reference"  # the rule its errors carry
    # A public record cannot be shown without its target, so the target must be public too
    # (rule ``visibility``); list entries such as role holders are simply left out instead.
    needed_in_public: bool = False


def _escalation() -> tuple[Ref, ...]:
    """The escalation steps of a kind, each naming a role, team, person or external responder."""
    return tuple(
        Ref(("escalation", EVERY, field), (target,))
        for field, target in (
            ("role", "roles"),
            ("team", "teams"),
            ("person", "people"),
            ("external", "external_responders"),
        )
    )


def _follow_ups() -> tuple[Ref, ...]:
    """What an incident or an exercise used or drilled, and who owns each action item."""
    return (
        Ref(("runbooks", EVERY), ("runbooks",)),
        Ref(("interventions", EVERY), ("interventions",)),
        Ref(("action_items", EVERY, "owner"), ("teams", "people")),
    )


@dataclass(frozen=True)
class Kind:
    """A data kind and everything the engine needs to know about it."""

    name: str
    layout: Layout
    noun: str  # one record, in sentences: "runbook oracle-outage"
    model: type
    visibility: Visibility
    # Core kinds must be there; any other may be absent (no file, no folder) and is empty.
    required: bool = False
    shown: RecordPages | Section | None = None
    pdf: str | None = None  # a record's PDF under the PDF folder ("runbooks/{}.pdf")
    review: ReviewField | None = None
    guarded: bool = False  # removing a record weakens readiness (flagged in the diff)
    named_fields: dict[str, str] = field(default_factory=dict)  # field -> rule of its errors
    references: tuple[Ref, ...] = ()  # fields that name records (checked, and in public)

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

    @property
    def attribute(self) -> str:
        """The field of ``model.Handbook`` holding the kind."""
        return "info" if self.name == "handbook" else self.name


KINDS: tuple[Kind, ...] = (
    Kind(
        "handbook",
        Layout.OBJECT,
        "handbook",
        model.HandbookInfo,
        Visibility.PUBLIC,
        required=True,
        references=(Ref(("fallback_team",), ("teams",), needed_in_public=True),),
    ),
    Kind(
        "policy",
        Layout.OBJECT,
        "policy",
        model.Policy,
        Visibility.PUBLIC,
        required=True,
        references=(
            Ref(("process", EVERY, "responsible_role"), ("roles",)),
            Ref(("process", EVERY, "checklists", EVERY, "role"), ("roles",)),
            Ref(("process", EVERY, "notes", EVERY, "severities", EVERY), ("severities",)),
            Ref(("document_control", "owner"), ("roles",)),
            Ref(
                ("document_control", "versions", EVERY, "author"),
                ("people",),
                needed_in_public=True,
            ),
        ),
    ),
    Kind(
        "roles",
        Layout.LIST,
        "role",
        model.Role,
        Visibility.FILTERED,
        required=True,
        shown=RecordPages("roles.md", "render_role"),
        guarded=True,
        references=(
            Ref(("not_combined_with", EVERY), ("roles",)),
            Ref(("holders", "primary", EVERY), ("people",)),
            Ref(("holders", "backup", EVERY), ("people",)),
        ),
    ),
    Kind(
        "people",
        Layout.LIST,
        "person",
        model.Person,
        Visibility.FILTERED,
        required=True,
        shown=Section("contacts.md", "person-"),
        guarded=True,
        references=(Ref(("team",), ("teams",), needed_in_public=True),),
    ),
    Kind(
        "teams",
        Layout.LIST,
        "team",
        model.Team,
        Visibility.FILTERED,
        required=True,
        shown=Section("contacts.md", "team-"),
        guarded=True,
    ),
    Kind(
        "severities",
        Layout.LIST,
        "severity",
        model.Severity,
        Visibility.FILTERED,
        required=True,
        shown=Section("severities.md", "severity-"),
        pdf="cards/severity-{}.pdf",
        guarded=True,
        named_fields={"response": "severity-response", "involved_roles": "severity-response"},
        references=(
            Ref(("involved_roles", EVERY), ("roles",), "severity-response"),
            *_escalation(),
        ),
    ),
    Kind(
        "runbooks",
        Layout.DIRECTORY,
        "runbook",
        model.Runbook,
        Visibility.FILTERED,
        required=True,
        shown=RecordPages("runbooks.md", "render_runbook"),
        pdf="runbooks/{}.pdf",
        review=ReviewField(
            "last_reviewed", "review_interval_days", "runbook_days", "review", "reviewed", "Runbook"
        ),
        guarded=True,
        named_fields={"owner": "runbook-owner"},
        references=(
            Ref(("owner",), ("teams", "people"), "runbook-owner", needed_in_public=True),
            Ref(("severity",), ("severities",)),
            Ref(("signals", EVERY), ("signals",)),
            Ref(("immediate_actions", EVERY, "role"), ("roles",)),
            Ref(("investigation", EVERY, "role"), ("roles",)),
            *_escalation(),
            Ref(("related", EVERY), ("runbooks",)),
            Ref(("dependencies", EVERY), ("dependencies",)),
            Ref(("interventions", EVERY), ("interventions",)),
            Ref(("communications", EVERY), ("communications",)),
        ),
    ),
    Kind(
        "dependencies",
        Layout.DIRECTORY,
        "dependency",
        model.Dependency,
        Visibility.FILTERED,
        shown=RecordPages("dependencies.md", "render_dependency"),
        review=ReviewField(
            "last_verified",
            "verify_interval_days",
            "dependency_days",
            "verification",
            "verified",
            "Dependency",
        ),
        guarded=True,
        named_fields={"degraded_mode": "dependency-degraded-mode"},
        references=(Ref(("owner",), ("teams",), needed_in_public=True),),
    ),
    Kind(
        "interventions",
        Layout.LIST,
        "intervention",
        model.Intervention,
        Visibility.FILTERED,
        shown=RecordPages("interventions.md", "render_intervention"),
        pdf="cards/intervention-{}.pdf",
        review=ReviewField(
            "last_drilled",
            "drill_interval_days",
            "intervention_days",
            "drill",
            "drilled",
            "Intervention",
        ),
        guarded=True,
        named_fields={"authorised_by": "intervention-authority"},
        references=(
            Ref(("authorised_by", "roles", EVERY), ("roles",), "intervention-authority"),
            Ref(("signals", EVERY), ("signals",)),
            Ref(("runbook",), ("runbooks",), needed_in_public=True),
        ),
    ),
    Kind(
        "signals",
        Layout.LIST,
        "signal",
        model.Signal,
        Visibility.FILTERED,
        shown=Section("signals.md", "signal-"),
        guarded=True,
        named_fields={"runbook": "signal-runbook"},
        references=(
            Ref(("severity",), ("severities",)),
            Ref(("runbook",), ("runbooks",), "signal-runbook"),
            Ref(("notify_roles", EVERY), ("roles",)),
            Ref(("notify_external", EVERY), ("external_responders",)),
        ),
    ),
    Kind(
        "risks",
        Layout.LIST,
        "risk",
        model.Risk,
        Visibility.FILTERED,
        shown=RecordPages("risks.md", "render_risk"),
        review=ReviewField(
            "last_reviewed", "review_interval_days", "risk_days", "review", "reviewed", "Risk"
        ),
        guarded=True,
        references=(
            Ref(("owner",), ("teams", "people"), needed_in_public=True),
            Ref(("mitigations", "runbooks", EVERY), ("runbooks",)),
            Ref(("mitigations", "interventions", EVERY), ("interventions",)),
            Ref(("history", EVERY, "incident"), ("incidents",)),
            Ref(("history", EVERY, "exercise"), ("exercises",)),
        ),
    ),
    Kind(
        "communications",
        Layout.LIST,
        "communication template",
        model.Communication,
        Visibility.PUBLIC,
        shown=Section("communications.md", "communication-"),
        references=(
            Ref(("severities", EVERY), ("severities",)),
            Ref(("approval_role",), ("roles",)),
        ),
    ),
    Kind(
        "external_responders",
        Layout.LIST,
        "external responder",
        model.ExternalResponder,
        Visibility.FILTERED,
        shown=Section("contacts.md", "external-"),
    ),
    Kind(
        "incidents",
        Layout.DIRECTORY,
        "incident",
        model.Incident,
        Visibility.FILTERED,
        shown=RecordPages("incidents.md", "render_incident"),
        references=(
            Ref(("severity",), ("severities",)),
            Ref(("detected", "signal"), ("signals",)),
            Ref(("roles", EVERY, "role"), ("roles",)),
            Ref(("roles", EVERY, "person"), ("people",)),
            Ref(("communications", EVERY), ("communications",)),
            *_follow_ups(),
        ),
    ),
    Kind(
        "exercises",
        Layout.DIRECTORY,
        "exercise",
        model.Exercise,
        Visibility.FILTERED,
        shown=Section("exercises.md", "exercise-"),
        references=(
            Ref(("signers", EVERY), ("people",)),
            Ref(("participants", EVERY), ("people",)),
            *_follow_ups(),
        ),
    ),
)

KINDS_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
