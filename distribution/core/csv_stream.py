"""CSV streamed row by row for ``StreamingHttpResponse``, with a UTF-8 BOM so spreadsheet programs read Chinese."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator


class _Echo:
    """A file-like object whose ``write`` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM and header line, then one CSV line per row, produced lazily."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(list(row))
