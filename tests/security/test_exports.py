"""The one formula-safe helper every CSV/XLSX writer uses (issue 11, finding 5); the writers'
own tests are next to them (feeds, ship queue, catalog export, statement)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from distribution.core.csv_stream import csv_lines, formula_safe, unescape_formula, xlsx_row


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x")', "-", "+"])
def test_text_that_could_start_a_formula_gets_a_quote_and_comes_back(text):
    assert formula_safe(text) == "'" + text
    assert unescape_formula(formula_safe(text)) == text


@pytest.mark.parametrize("value", ["-12.50", "+3", "42", "純棉T恤", "", "a=b", 7, None])
def test_numbers_and_plain_text_are_left_alone(value):
    assert formula_safe(value) == value


def test_csv_lines_and_xlsx_rows_apply_it_to_every_cell():
    text = "".join(csv_lines(["=h"], [["=x", "-5.00", 3]]))
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [["'=h"], ["'=x", "-5.00", "3"]]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    sheet.append(xlsx_row(sheet, ["=x", 3]))
    out = io.BytesIO()
    workbook.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert (cells[0].value, cells[0].data_type) == ("'=x", "s")
    assert (cells[1].value, cells[1].data_type) == (3, "n")
