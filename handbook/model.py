"""The typed, frozen model of a validated handbook: what every renderer reads."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


NONE = "none"  # a response target or update cadence the policy does not set, said so
NEVER = "never"  # a review, verification or drill that has not happened yet, said so


def marked_internal(data: Any) -> bool:
    """Whether a record or entry as read (a mapping) says ``visibility: internal``."""
    return isinstance(data, dict) and data.get("visibility") == "internal"


EXTENSION_PREFIX = "x-"  # a team's own field on any record: kept, shown, checked only as data

# Fields holding a message whose [fields] are filled in when it is sent or signed (an
# external responder's message, a signer's post): not placeholders, and no prose either
# (``handbook.facts`` leaves them as written). Communication templates mark their fields
# {like_this}: a [bracket] left in one is a placeholder.
BRACKET_TEMPLATES = frozenset({"message_template", "signer_message_template"})


@dataclass(frozen=True)
class XMap:
    """A mapping inside an extension's value, in the order written."""

    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Extension:
    """A team's own field on a record (``x-escalation-tier: 2``), with its value as written."""

    key: str
    value: Any  # a string, number, flag, tuple of values or XMap


def _frozen(value: Any) -> Any:
    """An extension's value with its lists as tuples and its mappings as ``XMap``."""
    if isinstance(value, dict):
        return XMap(tuple((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class Extensible:
    """The record of any kind: it may carry fields of the team's own besides its own."""

    # Its x-* fields, after every field of its own (keyword only, so never in their way).
    extensions: tuple[Extension, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class ContactChannel:
    """One way to reach someone; internal channels never reach a public build.

    A valid phone number's ``value`` is in E.164 form (``+12015550123``), however the data
    writes it (``handbook.phones.normalised``).
    """

    type: str
    value: str
    visibility: str
    label: str | None = None


@dataclass(frozen=True)
class ContactRef:
    """One step of an escalation: a role, team, person or external responder, and when."""

    role: str | None = None
    team: str | None = None
    person: str | None = None
    external: str | None = None  # an external responder (SEAL 911, a retainer...)
    within: str | None = None
    note: str | None = None
    visibility: str = "public"  # or "internal": left out of a public build

    @property
    def target(self) -> tuple[str, str]:
        """(kind, id) of whoever this step calls."""
        for kind, value in (
            ("roles", self.role),
            ("teams", self.team),
            ("people", self.person),
            ("external_responders", self.external),
        ):
            if value is not None:
                return kind, value
        raise ValueError("contact reference names nobody")  # the schema forbids this


@dataclass(frozen=True)
class Organisation:
    """The organisation whose handbook this is."""

    name: str
    description: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class ReviewDefaults:
    """Default review intervals, in days, per kind."""

    runbook_days: int
    dependency_days: int
    intervention_days: int
    risk_days: int


@dataclass(frozen=True)
class HandbookInfo(Extensible):
    """Handbook-wide settings from ``handbook.yml``."""

    organisation: Organisation
    handbook_version: str
    fallback_team: str
    review_defaults: ReviewDefaults
    public_url: str | None = None
    example: bool = False  # invented people and addresses: an example or a test fixture
    engine: str | None = None  # the engine version (major.minor) the data is written for
    phone_region: str | None = None  # ISO 3166 alpha-2: the country of national numbers
    readiness_errors: tuple[str, ...] = ()  # readiness findings this team makes errors


@dataclass(frozen=True)
class Points:
    """A named list a principle rests on (the failure signals, what gets locked in)."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Principle:
    """A guiding principle of the policy."""

    id: str
    statement: str
    rationale: str | None = None
    points: Points | None = None


@dataclass(frozen=True)
class Checklist:
    """A list of actions within a process step, optionally for one role and in order."""

    title: str
    items: tuple[str, ...]
    role: str | None = None
    ordered: bool = False


@dataclass(frozen=True)
class StepNote:
    """A remark on a process step, optionally only for some severities."""

    text: str
    severities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessStep:
    """One of the response process steps."""

    id: str
    order: int
    title: str
    goal: str
    responsible_role: str
    checklists: tuple[Checklist, ...]
    notes: tuple[StepNote, ...] = ()


@dataclass(frozen=True)
class CommunicationGuideline:
    """How the team communicates during an incident."""

    id: str
    audience: str
    title: str
    guideline: str


@dataclass(frozen=True)
class Version:
    """One entry of the document's version history."""

    version: str
    date: dt.date
    author: str
    changes: str


@dataclass(frozen=True)
class DocumentControl:
    """Who owns the policy, how often it is reviewed and its history."""

    owner: str
    review_interval_days: int
    versions: tuple[Version, ...]


@dataclass(frozen=True)
class Policy(Extensible):
    """The incident-response policy."""

    title: str
    purpose: str
    scope: str
    principles: tuple[Principle, ...]
    role_rules: tuple[str, ...]
    process: tuple[ProcessStep, ...]
    communication: tuple[CommunicationGuideline, ...]
    document_control: DocumentControl


@dataclass(frozen=True)
class Holders:
    """Who holds a role."""

    primary: tuple[str, ...]
    backup: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role(Extensible):
    """A response role."""

    id: str
    name: str
    summary: str
    responsibilities: tuple[str, ...]
    holders: Holders
    reach_via: str
    must_not: tuple[str, ...] = ()
    not_combined_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person(Extensible):
    """A person who can be called."""

    id: str
    name: str
    team: str
    contacts: tuple[ContactChannel, ...]
    title: str | None = None
    timezone: str | None = None
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class Team(Extensible):
    """A team that owns runbooks or dependencies."""

    id: str
    name: str
    description: str
    contacts: tuple[ContactChannel, ...]
    forge_handle: str | None = None
    on_call: str | None = None
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class Response:
    """How fast and how a severity is answered."""

    target: str  # a duration, or NONE where the policy sets none
    description: str | None = None


@dataclass(frozen=True)
class Severity(Extensible):
    """One level of the team's severity scale (most severe first)."""

    id: str
    name: str
    impact: str
    pages: bool  # pages a responder at any hour
    response: Response
    major: bool = False  # a major incident: the whole process, Decision Makers engaged
    involved_roles: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    update_cadence: str | None = None  # a duration, NONE, or None when the policy is silent
    escalation: tuple[ContactRef, ...] = ()


@dataclass(frozen=True)
class Action:
    """A step (an immediate action or an investigation step), optionally for one role."""

    text: str
    role: str | None = None
    why: str | None = None
    command: str | None = None  # shown as code to copy
    expected: str | None = None  # what a responder should see


@dataclass(frozen=True)
class Link:
    """A dashboard, alert, logs or other page a responder opens."""

    title: str
    url: str
    kind: str = "other"


@dataclass(frozen=True)
class Mitigation:
    """A way to contain an incident, preferred or fallback."""

    id: str
    title: str
    steps: tuple[str, ...]
    preference: str | None = None  # "preferred" or "fallback"; None: not ranked
    when: str | None = None
    impact: str | None = None
    verify: str | None = None  # None: a readiness finding (no-verification)
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class Runbook(Extensible):
    """What to do for one type of incident: only who owns it and what to do are required."""

    id: str
    title: str
    owner: str
    summary: str | None = None
    severity: str | None = None  # None: a readiness finding (no-severity)
    symptoms: tuple[str, ...] = ()
    immediate_actions: tuple[Action, ...] = ()
    mitigations: tuple[Mitigation, ...] = ()
    escalation: tuple[ContactRef, ...] = ()  # (): responders call the owner
    resolution_checklist: tuple[str, ...] = ()
    differentiation: tuple[str, ...] = ()  # how to tell it from look-alikes
    investigation: tuple[Action, ...] = ()
    follow_ups: tuple[str, ...] = ()  # after resolution, apart from its criteria
    root_causes: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # what to preserve
    links: tuple[Link, ...] = ()
    related: tuple[str, ...] = ()  # other runbooks' ids
    last_reviewed: dt.date | None = None  # None: never, or not recorded
    tags: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    communications: tuple[str, ...] = ()
    review_interval_days: int | None = None
    visibility: str = "public"  # or "internal": left out of a public build, with its links
    # Derived from the exercise records (handbook.drills), never written in a runbook.
    last_drilled: dt.date | None = None


@dataclass(frozen=True)
class VendorContact:
    """A contact at a dependency's provider."""

    name: str
    purpose: str
    channels: tuple[ContactChannel, ...]
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class DegradedMode:
    """How the product runs while a dependency is down."""

    what_still_works: str
    user_impact: str
    how_to_enter: tuple[str, ...]
    max_tolerable: str


@dataclass(frozen=True)
class Dependency(Extensible):
    """An external or internal service the product depends on."""

    id: str
    name: str
    kind: str
    criticality: str
    owner: str
    description: str
    contacts: tuple[VendorContact, ...]
    degraded_mode: DegradedMode
    last_verified: dt.date | None = None  # None: never, or not recorded
    verify_interval_days: int | None = None
    visibility: str = "public"  # or "internal": left out of a public build, with its links


@dataclass(frozen=True)
class Quorum:
    """How many of the authorised people must agree."""

    required: int
    of: int


@dataclass(frozen=True)
class Authority:
    """Who may authorise an intervention."""

    roles: tuple[str, ...]
    quorum: Quorum | None = None  # None: the source does not state it (no-quorum finding)


@dataclass(frozen=True)
class InterventionLimits:
    """The bounds of an intervention."""

    max_duration: str  # a duration, or NONE: no maximum set
    reversible: bool
    blast_radius: str


@dataclass(frozen=True)
class Intervention(Extensible):
    """Something the team may pause, upgrade or restrict, by whom and within which limits."""

    id: str
    title: str
    action: str
    target: str
    mechanism: str
    authorised_by: Authority
    runbook: str
    limits: InterventionLimits
    trust_cost: str | None = None  # None: not recorded (no-trust-cost finding)
    signer_message_template: str | None = None  # its [fields] are filled in when signing
    last_drilled: dt.date | None = None  # None: never, or not recorded
    signals: tuple[str, ...] = ()
    drill_interval_days: int | None = None
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class Signal(Extensible):
    """A monitoring signal and the action it triggers."""

    id: str
    name: str
    source: str
    condition: str
    severity: str
    notify_roles: tuple[str, ...]
    action: str
    runbook: str | None = None
    notify_external: tuple[str, ...] = ()  # external responders' ids


@dataclass(frozen=True)
class RiskMitigations:
    """The runbooks and interventions that reduce a risk."""

    runbooks: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskChange:
    """One change of a risk's rating: when, in which handbook version, what caused it and why."""

    date: dt.date
    version: str  # the handbook version it landed in ("2.1")
    likelihood: int  # the rating after the change
    impact: int
    note: str  # why it changed
    was: Rating | None = None  # the rating before, when written down
    incident: str | None = None  # the incident that changed it, or
    exercise: str | None = None  # the exercise; neither: a release review

    @property
    def score(self) -> int:
        """Likelihood times impact after the change, 1 to 25."""
        return self.likelihood * self.impact


@dataclass(frozen=True)
class Risk(Extensible):
    """An entry of the risk register: only what it is must be said; the rest is tracked."""

    id: str
    title: str
    description: str
    likelihood: int | None = None  # the residual rating, with its controls; None: unrated
    impact: int | None = None
    inherent: Rating | None = None  # the rating before any control
    owner: str | None = None  # None: a readiness finding (unowned-risk)
    mitigations: RiskMitigations = RiskMitigations()
    status: str | None = None
    treatment: str | None = None  # accept, mitigate, transfer or avoid
    controls: tuple[str, ...] = ()
    due: dt.date | None = None  # when the treatment must be in place
    introduced_in: str | None = None
    last_reviewed: dt.date | None = None  # None: never, or not recorded
    categories: tuple[str, ...] = ()  # how the team frames it ("failure signal")
    review_interval_days: int | None = None
    history: tuple[RiskChange, ...] = ()  # how the rating changed, oldest first
    visibility: str = "public"  # or "internal": left out of a public build

    @property
    def score(self) -> int | None:
        """Likelihood times impact, 1 to 25; None while the risk is unrated."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact


@dataclass(frozen=True)
class Rating:
    """A likelihood and an impact, each 1 to 5."""

    likelihood: int
    impact: int


@dataclass(frozen=True)
class Communication(Extensible):
    """A template for an incident update."""

    id: str
    title: str
    audience: str
    severities: tuple[str, ...]
    channel: str
    approval_role: str
    template: str


@dataclass(frozen=True)
class ExternalResponder(Extensible):
    """A party outside the team who can help in an incident: when to call, what to send."""

    id: str
    name: str
    kind: str  # security-emergency, retainer, exchange, bridge, law-enforcement...
    contacts: tuple[ContactChannel, ...]
    when_to_contact: tuple[str, ...]
    description: str | None = None
    message_template: str | None = None  # its [fields] are filled in, not placeholders
    response: str | None = None  # what to expect back, and how fast
    engagement: str | None = None  # a contract or agreement, and how to invoke it
    visibility: str = "public"  # or "internal": left out of a public build, with its links


ACTION_OPEN = "open"  # an action item still to do; "done" and "dropped" close it


@dataclass(frozen=True)
class ActionItem:
    """A follow-up of an incident or exercise, tracked to completion."""

    id: str
    title: str
    owner: str  # a team's or person's id
    due: dt.date
    status: str  # open, done or dropped
    closed_on: dt.date | None = None
    link: str | None = None
    note: str | None = None
    visibility: str = "public"  # or "internal": left out of the public post-mortem

    @property
    def is_open(self) -> bool:
        """Whether the item is still to do."""
        return self.status == ACTION_OPEN


@dataclass(frozen=True)
class Detection:
    """How and when an incident was detected (times are UTC, ``YYYY-MM-DDTHH:MMZ``)."""

    at: str
    source: str
    signal: str | None = None


@dataclass(frozen=True)
class RoleHeld:
    """Who held an incident role, from when."""

    role: str
    person: str
    since: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of an incident, in UTC."""

    at: str
    phase: str  # detection, coordination, mitigation, resolution or follow-up
    text: str
    visibility: str = "public"  # or "internal": left out of the public post-mortem


@dataclass(frozen=True)
class Impact:
    """What an incident cost: users, funds, time and services."""

    users: str | None = None
    funds: str | None = None
    duration: str | None = None
    services: str | None = None


@dataclass(frozen=True)
class Transaction:
    """An on-chain transaction that matters to an incident."""

    hash: str
    what: str
    chain: str | None = None
    visibility: str = "public"  # or "internal"


@dataclass(frozen=True)
class Address:
    """An address involved in an incident: attacker, affected contract, recovery wallet."""

    address: str
    role: str
    chain: str | None = None
    note: str | None = None
    visibility: str = "public"  # or "internal"


@dataclass(frozen=True)
class Evidence:
    """Evidence preserved, and where it is kept."""

    what: str
    where: str


@dataclass(frozen=True)
class OnChain:
    """The on-chain side of an incident."""

    transactions: tuple[Transaction, ...] = ()
    addresses: tuple[Address, ...] = ()
    funds_moved: str | None = None
    funds_recovered: str | None = None
    attacker: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Incident(Extensible):
    """One incident and its post-mortem."""

    id: str
    title: str
    severity: str
    status: str  # open, monitoring, resolved or reviewed
    detected: Detection | None  # None only in a public view whose detection is internal
    summary: str | None = None
    roles: tuple[RoleHeld, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    impact: Impact | None = None
    runbooks: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    communications: tuple[str, ...] = ()
    root_causes: tuple[str, ...] = ()
    went_well: tuple[str, ...] = ()
    went_badly: tuple[str, ...] = ()
    web3: OnChain | None = None
    action_items: tuple[ActionItem, ...] = ()
    internal_sections: tuple[str, ...] = ()  # left out of the public post-mortem
    visibility: str = "public"  # or "internal": never in the public edition

    @property
    def date(self) -> dt.date | None:
        """The UTC day it was detected."""
        return dt.date.fromisoformat(self.detected.at[:10]) if self.detected else None


@dataclass(frozen=True)
class Exercise(Extensible):
    """A drill or exercise: its date is the last drilled date of what it exercised."""

    id: str
    title: str
    date: dt.date
    kind: str  # tabletop, pause-drill, signer-test, restore-test or other
    summary: str | None = None
    runbooks: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    time_to_quorum: str | None = None
    findings: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    visibility: str = "public"  # or "internal": left out of a public build


@dataclass(frozen=True)
class Handbook:
    """The whole validated handbook: the records of every kind, by the kind's attribute.

    ``handbook.runbooks`` is the tuple of runbooks, ``handbook.info`` the settings of
    ``handbook.yml``: one attribute per kind of ``handbook.kinds``, so that a kind added
    there needs nothing here but its model class.
    """

    kinds: Mapping[str, Any]  # attribute -> the object, or the tuple of records

    if TYPE_CHECKING:  # the attributes of the kinds the engine itself reads, for type checkers
        info: HandbookInfo
        policy: Policy
        roles: tuple[Role, ...]
        people: tuple[Person, ...]
        teams: tuple[Team, ...]
        severities: tuple[Severity, ...]
        runbooks: tuple[Runbook, ...]
        dependencies: tuple[Dependency, ...]
        interventions: tuple[Intervention, ...]
        signals: tuple[Signal, ...]
        risks: tuple[Risk, ...]
        communications: tuple[Communication, ...]
        external_responders: tuple[ExternalResponder, ...]
        incidents: tuple[Incident, ...]
        exercises: tuple[Exercise, ...]

    def __getattr__(self, name: str) -> Any:
        kinds = self.__dict__.get("kinds", {})  # absent while a copy is being made
        if name in kinds:
            return kinds[name]
        raise AttributeError(f"a handbook has no kind {name!r}")

    def replace(self, **changed: Any) -> Handbook:
        """A handbook with some kinds' records replaced: ``handbook.replace(runbooks=...)``."""
        unknown = set(changed) - set(self.kinds)
        if unknown:
            raise AttributeError(f"a handbook has no kind {sorted(unknown)[0]!r}")
        return Handbook({**self.kinds, **changed})

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {
            name: {record.id: record for record in records}
            for name, records in self.kinds.items()
            if isinstance(records, tuple)
        }

    def get(self, kind: str, record_id: str) -> Any:
        """The record of ``kind`` with this id (validation guarantees it exists)."""
        return self._by_id[kind][record_id]

    @cached_property
    def _referrers(self) -> dict[tuple[str, str], dict[str, tuple[Any, ...]]]:
        return {}  # filled by ``referring``, one reverse index per (kind, field) asked for

    def referring(self, kind: str, field_name: str, record_id: str) -> tuple[Any, ...]:
        """The records of ``kind`` whose id list ``field_name`` names ``record_id``, in data order.

        A reverse index built once per (kind, field): pages asking "which runbooks use this
        dependency" for every record cost linear, not quadratic, time.
        """
        index = self._referrers.get((kind, field_name))
        if index is None:
            found: dict[str, list[Any]] = {}
            for record in getattr(self, kind):
                for target in dict.fromkeys(getattr(record, field_name)):
                    found.setdefault(target, []).append(record)
            index = self._referrers[(kind, field_name)] = {k: tuple(v) for k, v in found.items()}
        return index.get(record_id, ())

    def owner(self, owner_id: str) -> tuple[str, Team | Person]:
        """(kind, record) of a team or person named as an owner."""
        if owner_id in self._by_id["teams"]:
            return "teams", self._by_id["teams"][owner_id]
        return "people", self._by_id["people"][owner_id]


class ModelError(TypeError):
    """Validated data that does not fit the model: a bug in a schema or in the model."""


def build(cls: type[T], data: Any) -> T:
    """Build one model object from validated data (unknown fields are a bug, not ignored)."""
    return _constructor(cls)(data)


Convert = Callable[[Any], Any]


@cache
def _constructor(cls: type) -> Convert:
    """A function building ``cls`` from a mapping, planned once per class from its hints.

    Replaces dacite (about five times slower on a 1,000-runbook handbook) with the same strictness:
    unknown or missing fields and values of the wrong type raise ``ModelError``.
    """
    hints = get_type_hints(cls)
    own = [f for f in fields(cls) if f.init]
    plan = {f.name: _converter(hints[f.name], f"{cls.__name__}.{f.name}") for f in own}
    required = frozenset(
        f.name for f in own if f.default is MISSING and f.default_factory is MISSING
    )

    extensible = "extensions" in plan

    def construct(data: Any) -> Any:
        if not isinstance(data, dict):
            raise ModelError(f"{cls.__name__}: expected a mapping, not {type(data).__name__}")
        extensions: tuple[Extension, ...] = ()
        if extensible and any(k.startswith(EXTENSION_PREFIX) for k in data):
            extensions = tuple(
                Extension(k, _frozen(v)) for k, v in data.items() if k.startswith(EXTENSION_PREFIX)
            )
            data = {k: v for k, v in data.items() if not k.startswith(EXTENSION_PREFIX)}
        if not plan.keys() >= data.keys():
            raise ModelError(f"{cls.__name__}: unknown fields {sorted(data.keys() - plan)}")
        if not data.keys() >= required:
            raise ModelError(f"{cls.__name__}: missing fields {sorted(required - data.keys())}")
        built = {name: plan[name](value) for name, value in data.items()}
        if extensions:
            built["extensions"] = extensions
        return cls(**built)

    return construct


def _converter(hint: Any, where: str) -> Convert:
    """How to turn one validated value into the field type ``hint`` (checked, never guessed)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if len(options) != 1 or len(get_args(hint)) != 2:
            raise ModelError(f"{where}: only ``X | None`` unions are supported")
        inner = _converter(options[0], where)
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _converter(get_args(hint)[0], where)

        def sequence(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise ModelError(f"{where}: expected a list, not {type(value).__name__}")
            return tuple(map(item, value))

        return sequence
    if is_dataclass(hint):
        return _constructor(hint)  # type: ignore[arg-type]
    if hint is dt.date:  # "never" (a date_or_never field, always ``dt.date | None``) is None
        return lambda value: (
            value
            if isinstance(value, dt.date)
            else None
            if value == NEVER
            else dt.date.fromisoformat(value)
        )
    if hint is Any:
        return lambda value: value

    def checked(value: Any) -> Any:
        if not isinstance(value, hint):
            raise ModelError(f"{where}: expected {hint.__name__}, not {type(value).__name__}")
        return value

    return checked
