"""Stored texts as a kind plus parameters, rendered when read in the reader's language.

A notification, a PO timeline note, a statement line's memo or any other system message is
stored as a *kind* (a stable key such as ``"settlement.top_up_confirmed"``) and its
*parameters* (JSON), never as text rendered in the writer's language. Each app registers its
kinds once, at import time, next to the service that writes them::

    from django.utils.translation import gettext_lazy as _
    from distribution.core import texts

    TOP_UP_CONFIRMED = texts.register(
        "settlement.top_up_confirmed",
        title=_("Top-up of %(amount)s confirmed"),
        body=_("The amount is now available in your wallet."),
    )

and writes ``TOP_UP_CONFIRMED(amount=texts.Money(top_up.amount))`` (a :class:`Text`) where a
string used to go. ``str()`` of a ``Text`` renders it in the active language; code that stores
it calls :func:`to_stored` (kind, params) and readers call :func:`render`.

Parameter values are JSON: plain strings and numbers are inserted as they are (names, numbers,
what a person typed); :class:`Money`, :class:`When` and nested :class:`Text` are stored as
tagged dicts and formatted by the reader's language (thousands separators, local date format,
the nested text's own translation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

PARTS = ("title", "body")


@dataclass(frozen=True)
class TextKind:
    """A registered kind: its key and the gettext_lazy templates of its parts (``%(name)s`` params)."""

    key: str
    title: str | Promise
    body: str | Promise = ""

    def __call__(self, **params: Any) -> Text:
        return Text(self.key, params)


_REGISTRY: dict[str, TextKind] = {}


def register(key: str, *, title: str | Promise, body: str | Promise = "") -> TextKind:
    """Register ``key`` (idempotent for the same templates; a different second definition is a bug)."""
    kind = TextKind(key, title, body)
    existing = _REGISTRY.get(key)
    if existing is not None and (str(existing.title), str(existing.body)) != (str(title), str(body)):
        raise ValueError(f"text kind {key!r} is already registered with other templates")
    _REGISTRY[key] = kind
    return kind


def get(key: str) -> TextKind | None:
    return _REGISTRY.get(key)


def registered() -> dict[str, TextKind]:
    return dict(_REGISTRY)


# --- parameter values formatted by the reader -------------------------------------------------


@dataclass(frozen=True)
class Money:
    """A CNY amount; rendered with the reader's thousands separators (``1,234.50``)."""

    amount: Decimal | int | str

    def to_json(self) -> dict:
        from .money import format_money

        return {"$money": format_money(Decimal(self.amount))}


@dataclass(frozen=True)
class When:
    """A date or a moment; rendered as the pages show them (``2026-12-01 14:30``, the site's time zone)."""

    value: datetime | date

    def to_json(self) -> dict:
        return {"$when": self.value.isoformat()}


@dataclass(frozen=True)
class Text:
    """A kind with its parameters. ``str()`` renders the title in the active language."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"$text": self.kind, "params": encode_params(self.params)}

    def render(self, part: str = "title") -> str:
        return render(self.kind, encode_params(self.params), part=part)

    def __str__(self) -> str:
        return self.render("title")

    def __bool__(self) -> bool:
        return True


def encode_params(params: Mapping[str, Any]) -> dict:
    """Turn parameter values into JSON (``Money``/``When``/``Text`` tagged, lazy strings forced)."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, (Money, When, Text)):
            out[name] = value.to_json()
        elif isinstance(value, Decimal):
            out[name] = Money(value).to_json()
        elif isinstance(value, (datetime, date)):
            out[name] = When(value).to_json()
        elif isinstance(value, Promise):
            out[name] = str(value)
        elif value is None or isinstance(value, (str, int, float, bool, dict)):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$money" in value:
            from django.utils.formats import number_format

            return number_format(Decimal(value["$money"]), 2, force_grouping=True)
        if "$when" in value:
            from django.utils.formats import date_format

            raw = value["$when"]
            if "T" in raw:
                moment = datetime.fromisoformat(raw)
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return date_format(moment, "Y-m-d H:i")  # the pages' own format, the same in every language
            return date_format(date.fromisoformat(raw), "Y-m-d")
        if "$text" in value:
            return render(value["$text"], value.get("params") or {})
    return value


def render(kind: str, params: Mapping[str, Any] | None, *, part: str = "title", fallback: str = "") -> str:
    """``kind``'s ``part`` with ``params``, in the active language; ``fallback`` when unknown or broken.

    A row whose kind is not registered (an old row, or a kind removed since) keeps showing the
    text it was stored with. A template that needs a parameter the row lacks never raises.
    """
    registered_kind = _REGISTRY.get(kind)
    if registered_kind is None:
        return fallback
    lazy = getattr(registered_kind, part, "") or ""
    template = str(lazy)
    # an ``ngettext_lazy(singular, plural, "count")``: no text of its own until given the count,
    # then the reader's language's form for it
    plural = not template and bool(lazy)
    if not template and not plural:
        return fallback if part != "title" else ""
    values = {name: _decode(value) for name, value in (params or {}).items()}
    try:
        if plural:
            return str(lazy % values)
        return template % values if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return fallback or template


def to_stored(value: Any) -> tuple[str, dict, str]:
    """What to store for ``value`` (a ``Text``, a lazy string or a plain string): ``(kind, params, text)``.

    ``text`` is the rendering in the active language, kept as the fallback shown if the kind is
    ever unregistered; plain strings are stored with an empty kind and shown as they are.
    """
    if isinstance(value, Text):
        return value.kind, encode_params(value.params), value.render("title")
    return "", {}, "" if value is None else str(value)


def show(kind: str, params: Mapping[str, Any] | None, fallback: str) -> str:
    """The reader's rendering of a stored (kind, params) with its stored fallback text."""
    if not kind:
        return fallback
    return render(kind, params, fallback=fallback)


# --- one JSON column beside a text column ------------------------------------------------------
# A model that stores a message in a text column (a PO timeline reason, a statement memo) adds a
# nullable JSONField beside it: ``{"kind": ..., "params": ...}`` for a registered text, ``None``
# for text a person typed (shown as it is). The text column keeps the default-language rendering.


def stored(value: Any) -> dict | None:
    """The JSON to store beside the text column for ``value`` (``None`` unless it is a ``Text``)."""
    if isinstance(value, Text):
        return {"kind": value.kind, "params": encode_params(value.params)}
    return None


def plain(value: Any, limit: int | None = None) -> str:
    """The text column's value for ``value``: a ``Text`` rendered in the default language, else ``str``."""
    from django.conf import settings
    from django.utils import translation

    if isinstance(value, Text):
        with translation.override(settings.LANGUAGE_CODE):
            text = value.render("title")
    else:
        text = "" if value is None else str(value)
    return text[:limit] if limit else text


def show_stored(data: Mapping[str, Any] | None, fallback: str) -> str:
    """The reader's rendering of a stored JSON column (``fallback``, the text column, when ``None``)."""
    if not data:
        return fallback
    return render(data.get("kind", ""), data.get("params") or {}, fallback=fallback) or fallback


# --- reading old rows back (data migrations) ----------------------------------------------------

_MONEY_PARAMS = {"amount", "refund", "release", "balance", "total"}


def _pattern(template: str):
    import re

    literal = re.sub(r"%\((\w+)\)s", "", template)
    if not re.sub(r"[\s\W]", "", literal):
        return None  # nothing but parameters: it would match any text
    parts, names, position = [], [], 0
    for match in re.finditer(r"%\((\w+)\)s", template):
        parts.append(re.escape(template[position : match.start()]))
        name = match.group(1)
        parts.append(f"(?P<{name}>.+?)" if name not in names else f"(?P={name})")
        names.append(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


def parse(text: str, *, prefer: str = "", part: str = "title") -> tuple[str, dict] | None:
    """The registered (kind, params) whose ``part`` rendered ``text`` in one of the languages, else ``None``.

    For data migrations of rows stored as finished text: ``prefer`` is tried first. Amount
    parameters come back as ``Money``; other parameters as the text that was inserted.
    """
    from django.conf import settings
    from django.utils import translation

    kinds = sorted(_REGISTRY.values(), key=lambda k: k.key != prefer)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for kind in kinds:
                template = str(getattr(kind, part) or "")
                pattern = _pattern(template) if template else None
                match = pattern.match(text) if pattern else None
                if match:
                    params: dict[str, Any] = {}
                    for name, value in match.groupdict().items():
                        amount = value.replace(",", "")
                        if name in _MONEY_PARAMS:
                            try:
                                params[name] = Money(Decimal(amount)).to_json()
                                continue
                            except ArithmeticError:
                                pass
                        params[name] = value
                    return kind.key, params
    return None
