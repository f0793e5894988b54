"""Spreadsheet exports: CSV streamed row by row (UTF-8 BOM so spreadsheet programs read Chinese) and
XLSX rows, both formula-safe.

Text written by one organisation ends up in another's spreadsheet (a supplier's product title in a
reseller's feed, a reseller's address in the supplier's ship queue), so no cell may start a
formula: text beginning with ``= + - @``, a tab or a carriage return gets a leading ``'`` (OWASP's
advice for CSV injection); plain numbers such as ``-12.50`` stay numbers. XLSX cells holding text
are also typed as strings, so they are never evaluated. Every CSV/XLSX writer goes through here;
importers undo the escape with :func:`unescape_formula`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def formula_safe(value: Any) -> Any:
    """``value`` as a spreadsheet may show it: text that could start a formula gets a leading ``'``."""
    if value.__class__ is str and value and value[0] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """The text before :func:`formula_safe` (for re-importing an export)."""
    if value.__class__ is str and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


class _Echo:
    """A file-like object whose ``write`` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM and header line, then one formula-safe CSV line per row, produced lazily."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([formula_safe(v) for v in header])
    for row in rows:
        yield writer.writerow([formula_safe(v) for v in row])


MONEY_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def xlsx_row(sheet, values: Iterable[object]) -> list[Any]:
    """One row for a write-only openpyxl ``sheet``, typed: text as formula-safe string cells, ``Decimal``
    as a number shown with two places, an aware ``datetime`` as a date cell in the site's time zone
    (+08:00; spreadsheets have no time zones), other values as they are."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=formula_safe(value))
            cell.data_type = "s"
            out.append(cell)
        elif isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            out.append(cell)
        elif isinstance(value, datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATETIME_FORMAT
            out.append(cell)
        else:
            out.append(value)
    return out
