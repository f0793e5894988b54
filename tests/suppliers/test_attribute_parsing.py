"""Attributes typed the way the catalog shows them (``顏色: 紅, 尺碼: M``) are read like ``顏色=紅; 尺碼=M``."""

import pytest
from django.core.exceptions import ValidationError

from suppliers.validators import parse_attributes


@pytest.mark.parametrize(
    "text",
    ["顏色=紅; 尺碼=M", "顏色: 紅, 尺碼: M", "顏色：紅，尺碼：M", "顏色:紅\n尺碼:M", "顏色＝紅；尺碼: M"],
)
def test_both_spellings_give_the_same_attributes(text):
    assert parse_attributes(text) == {"顏色": "紅", "尺碼": "M"}


def test_an_equals_sign_separates_so_a_colon_stays_in_the_value():
    assert parse_attributes("比例=16:9") == {"比例": "16:9"}


@pytest.mark.parametrize("text", ["顏色紅", "顏色:", ": 紅", "顏色: 紅, 顏色: 藍"])
def test_what_is_not_a_pair_is_refused(text):
    with pytest.raises(ValidationError):
        parse_attributes(text)
