"""The labelled block shops copy, one-line forms in both scripts, postal codes from the district."""

from __future__ import annotations

import pytest

from distribution.core.divisions import find_division, postal_code_for, traditional_name_of
from procurement.address_parser import parse_address


def test_labelled_block_in_simplified_script():
    parsed = parse_address("收货人: 张三\n手机号码: 138 0013 8000\n所在地区: 浙江省 杭州市 西湖区\n详细地址: 文三路100号")
    assert (parsed.recipient, parsed.mobile) == ("张三", "13800138000")
    assert (parsed.province, parsed.city, parsed.district) == ("330000", "330100", "330106")
    assert parsed.street == "文三路100号"
    assert parsed.missing == []


def test_labelled_block_in_traditional_script_on_one_line_drops_the_repeated_region():
    parsed = parse_address("收貨人：陳大文 手機號碼：13912345678 所在地區：廣東省 深圳市 南山區 詳細地址：廣東省深圳市南山區科技園南區8棟")
    assert parsed.recipient == "陳大文"
    assert parsed.district == "440305"
    assert parsed.street == "科技園南區8棟"


def test_labelled_block_keeps_a_given_postal_code():
    parsed = parse_address("收货人: 李四\n手机: 13700000000\n所在地区: 北京市 朝阳区\n详细地址: 建国路88号\n邮编: 100022")
    assert (parsed.district, parsed.postal_code, parsed.postal_code_guessed) == ("110105", "100022", False)


def test_missing_postal_code_is_filled_from_the_district():
    parsed = parse_address("張三 13800138000 上海市浦東新區世紀大道1號")
    assert parsed.district == "310115"
    assert parsed.postal_code == postal_code_for("310115") != ""
    assert parsed.postal_code_guessed
    assert "postal_code" not in parsed.missing


@pytest.mark.parametrize(
    "line",
    ["浙江省 杭州市 西湖区 文三路100号(310013)", "浙江省杭州市西湖區文三路100號（310013）"],
)
def test_one_line_in_either_script_with_separate_recipient_and_mobile(line):
    parsed = parse_address(line, recipient="李四", mobile="13700000000")
    assert (parsed.recipient, parsed.mobile, parsed.district, parsed.postal_code) == ("李四", "13700000000", "330106", "310013")
    assert parsed.street.startswith("文三路100")
    assert "(" not in parsed.street and "（" not in parsed.street


def test_an_address_without_a_district_names_what_is_missing():
    parsed = parse_address("收货人: 王五\n手机号码: 15000000000\n所在地区: 浙江省 杭州市\n详细地址: 某路1号")
    assert "district" in parsed.missing


def test_division_names_in_either_script_with_or_without_suffix():
    guangdong = find_division("廣東")
    assert guangdong == "440000"
    shenzhen = find_division("深圳市", within=guangdong)
    assert find_division("南山區", within=shenzhen) == find_division("南山", within=shenzhen) == "440305"
    assert find_division("北京市", within="110000") == "110100"
    assert find_division("杭州", within=guangdong) is None
    assert find_division("440305", within=shenzhen) == "440305"
    assert traditional_name_of("440000") == "廣東省"
