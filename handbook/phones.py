"""Phone numbers: written the way people write them, checked, shown grouped, dialled as E.164.

A phone channel's value may be written with spaces, hyphens, dots and parentheses
(``+1 (201) 555-0123``), and in national form (``(201) 555-0123``, ``020 7946 0123``) when
``data/handbook.yml`` sets ``phone_region``: the ISO 3166 country whose numbers those are.
The schema refuses any other character; rule ``phone-number`` (``phone_numbers``) refuses
what libphonenumber (the ``phonenumbers`` package) does not know as a valid number, at the
number's file, line and column.

Once validated, the model holds every phone channel's value in E.164 form (``normalised``,
called when the model is built): the ``tel:`` links dial it, pages show the grouped
international form read out on a call (``display``: ``+1 201-555-0123``), and the leak
scan looks for the number whichever way a page writes it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from handbook.kinds import KINDS
from handbook.model import ContactChannel, Handbook
from handbook.references import replaced

if TYPE_CHECKING:
    from handbook.diagnostics import Diagnostic
    from handbook.reader import PathKey
    from handbook.rules import RuleContext

RULE = "phone-number"

# What the schema lets through (common.schema.json, a phone channel's value), searched as
# jsonschema searches a pattern: digits, spaces, hyphens, dots, parentheses and one leading
# "+". Anything else is the schema's (or the placeholder or secret rules') to report, once.
WRITTEN = re.compile(r"^\+?[0-9 ().-]+$")
REGION = re.compile(r"[A-Z]{2}")  # the pattern of ``phone_region`` in handbook.schema.json

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "no country has that calling code",
    NumberParseException.NOT_A_NUMBER: "it holds too few digits to be one",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too few digits after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too few digits",
    NumberParseException.TOO_LONG: "too many digits",
}
_IMPOSSIBLE = {
    ValidationResult.INVALID_COUNTRY_CODE: "no country has that calling code",
    ValidationResult.TOO_SHORT: "too few digits",
    ValidationResult.TOO_LONG: "too many digits",
    ValidationResult.INVALID_LENGTH: "a number of digits no number there has",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "a local number: add the area code",
}


class PhoneNumberError(ValueError):
    """A value that is not a valid phone number; the message says why."""


def is_national(value: str) -> bool:
    """Whether a number is written without ``+`` and its country code."""
    return not value.lstrip().startswith("+")


def parse(value: str, region: str | None = None) -> phonenumbers.PhoneNumber:
    """The number ``value`` writes, valid for libphonenumber, or ``PhoneNumberError``.

    ``region`` (ISO 3166 alpha-2, the handbook's ``phone_region``) is the country of a
    number written in national form; a number written with ``+`` ignores it.
    """
    shown = repr(value)
    national = is_national(value)
    if national and region is None:
        raise PhoneNumberError(
            f"{shown} has no country code: write it with + and its country code "
            "(+1 201 555 0123), or set phone_region in handbook.yml to the country of "
            "numbers written without one"
        )
    read_as = f" (read as a number of {region}, the phone_region)" if national else ""
    try:
        number = phonenumbers.parse(value, region if national else None)
    except NumberParseException as exc:
        reason = _PARSE_ERRORS.get(exc.error_type, "libphonenumber cannot read it")
        raise PhoneNumberError(f"{shown} is not a phone number{read_as}: {reason}") from None
    code = f"+{number.country_code}"
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        reason = _IMPOSSIBLE.get(possible, "not a possible number")
        raise PhoneNumberError(f"{shown} is not a phone number{read_as}: {reason} for {code}")
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError(
            f"{shown} is not a valid phone number{read_as}: no {code} number starts with "
            "these digits (an area or operator code not in use); check them"
        )
    return number


@lru_cache(maxsize=4096)
def _forms(value: str, region: str | None) -> tuple[str, str] | None:
    """(E.164, grouped international form) of a valid number, None for anything else."""
    if not WRITTEN.search(value):
        return None
    try:
        number = parse(value, region)
    except PhoneNumberError:
        return None
    return (
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
    )


def normalise(value: str, region: str | None = None) -> str | None:
    """The E.164 form of a valid number (``+12015550123``), None when it is not one."""
    forms = _forms(value, region)
    return forms[0] if forms else None


def display(value: str, region: str | None = None) -> str:
    """The grouped international form to read out (``+1 201-555-0123``).

    A value that is not a valid number (validation has refused it) is shown as written.
    """
    forms = _forms(value, region)
    return forms[1] if forms else value


def tel_url(value: str, region: str | None = None) -> str:
    """The ``tel:`` URL that dials a number: ``tel:`` and its E.164 form.

    A value that is not a valid number (validation has refused it) keeps only its ``+``
    and digits.
    """
    number = normalise(value, region)
    return "tel:" + (number or re.sub(r"[^+0-9]", "", value))


# --- The model -------------------------------------------------------------------------


@cache
def holds_channels(hint: Any) -> bool:
    """Whether a model type (a class or a type hint) can hold a ``ContactChannel``."""
    if hint is ContactChannel:
        return True
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return any(holds_channels(h) for h in get_type_hints(hint).values())
    return any(holds_channels(a) for a in get_args(hint))


def _renumbered(item: Any, region: str | None) -> Any:
    """``item`` with its phone channels' values in E.164 (itself when nothing changes)."""
    if isinstance(item, ContactChannel):
        number = normalise(item.value, region) if item.type == "phone" else None
        if number is None or number == item.value:
            return item
        return dataclasses.replace(item, value=number)
    if isinstance(item, tuple):
        items = tuple(_renumbered(x, region) for x in item)
        return item if all(a is b for a, b in zip(items, item, strict=True)) else items
    if dataclasses.is_dataclass(item) and holds_channels(type(item)):
        changed = {}
        for field in dataclasses.fields(item):
            if field.init:
                old = getattr(item, field.name)
                new = _renumbered(old, region)
                if new is not old:
                    changed[field.name] = new
        return dataclasses.replace(item, **changed) if changed else item
    return item


def normalised(handbook: Handbook) -> Handbook:
    """The handbook with every valid phone channel's value in E.164 form.

    National numbers are read with ``handbook.yml``'s ``phone_region``; a value that is not
    a valid number stays as written (rule ``phone-number`` reports it).
    """
    region = handbook.info.phone_region
    changed = {
        kind.attribute: new
        for kind in KINDS
        if kind.attribute in handbook.kinds and holds_channels(kind.model)
        for old in [handbook.kinds[kind.attribute]]
        if (new := _renumbered(old, region)) is not old
    }
    return handbook.replace(**changed) if changed else handbook


# --- Rule ``phone-number`` -------------------------------------------------------------


def _phone_values(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    """(path, value) of every phone channel's string value in a record's data."""
    if isinstance(data, dict):
        value = data.get("value")
        if data.get("type") == "phone" and isinstance(value, str):
            yield (*path, "value"), value
            return
        for key, child in data.items():
            yield from _phone_values(child, (*path, key))
    elif isinstance(data, list):
        for number, child in enumerate(data):
            yield from _phone_values(child, (*path, number))


def renumbered_data(data: Any, region: str | None) -> Any:
    """Raw data with every valid phone channel's value in E.164 (the same object if none).

    The policy diff compares numbers, not how they were written.
    """
    numbers = [(path, value, normalise(value, region)) for path, value in _phone_values(data)]
    return replaced(data, [(path, new) for path, old, new in numbers if new and new != old])


def _region(context: RuleContext) -> tuple[str | None, list[Diagnostic]]:
    """(the handbook's usable ``phone_region`` or None, what is wrong with it).

    ``""`` stands for a region given but unusable: its own error (or the schema's) says
    so, and national numbers are then not reported again as lacking one.
    """
    for record in context.loaded.records("handbook"):
        value = record.data.get("phone_region") if isinstance(record.data, dict) else None
        if value is None:
            return None, []
        if isinstance(value, str) and value in phonenumbers.SUPPORTED_REGIONS:
            return value, []
        if isinstance(value, str) and REGION.fullmatch(value):
            message = (
                f"phone_region {value!r} is not a country libphonenumber knows: write the "
                "ISO 3166 alpha-2 code of the country, such as US, GB or DE"
            )
            return "", [record.diagnostic(("phone_region",), message, RULE)]
        return "", []  # not two capital letters: the schema reports it
    return None, []


def phone_numbers(context: RuleContext) -> Iterator[Diagnostic]:
    """``phone-number``: every phone channel holds a valid number, with its country known."""
    region, problems = _region(context)
    yield from problems
    for kind in KINDS:
        if not holds_channels(kind.model):
            continue
        for record in context.loaded.records(kind.name):
            for path, value in _phone_values(record.data):
                if not WRITTEN.search(value) or (region == "" and is_national(value)):
                    continue  # the schema's, or the unusable phone_region's, to report
                try:
                    parse(value, region or None)
                except PhoneNumberError as exc:
                    yield record.diagnostic(path, str(exc), RULE)
