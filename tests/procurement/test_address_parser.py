import pytest

from procurement.address_parser import parse_address_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "張三 13800138000 浙江省杭州市西湖區文三路100號 310000",
            {
                "recipient": "張三",
                "mobile": "13800138000",
                "province": "330000",
                "city": "330100",
                "district": "330106",
                "street": "文三路100號",
                "postal_code": "310000",
            },
        ),
        (
            "李四，139-1234-5678，北京市朝阳区建国路88号 100022",
            {
                "recipient": "李四",
                "mobile": "13912345678",
                "province": "110000",
                "city": "110100",
                "district": "110105",
                "street": "建国路88号",
            },
        ),
        (
            "广东深圳南山区科技园路1号 王五 13912345678",
            {"recipient": "王五", "province": "440000", "city": "440300", "district": "440305", "street": "科技园路1号"},
        ),
        (
            "收貨人：趙六 手機：+86 137 0000 0000 地址：上海市浦東新區世紀大道100號 郵編：200120",
            {"recipient": "趙六", "mobile": "13700000000", "province": "310000", "district": "310115", "postal_code": "200120"},
        ),
    ],
)
def test_one_line_addresses_are_split_into_fields(text, expected):
    parsed = parse_address_line(text).as_initial()
    assert {k: parsed[k] for k in expected} == expected


def test_short_names_without_province_are_found():
    parsed = parse_address_line("杭州西湖文三路1号")
    assert (parsed.province, parsed.city, parsed.district, parsed.street) == ("330000", "330100", "330106", "文三路1号")


def test_what_cannot_be_parsed_is_reported():
    parsed = parse_address_line("某處某地")
    assert {"mobile", "province", "city", "postal_code"} <= set(parsed.missing)


def test_a_postcode_after_the_detail_address_of_a_labelled_block_is_taken_out_of_the_street():
    from procurement.address_parser import parse_address

    parsed = parse_address("收货人: 張三\n手机号码: 13800138000\n所在地区: 浙江省 杭州市 西湖区\n详细地址: 文三路100號 310099")

    assert parsed.postal_code == "310099" and not parsed.postal_code_guessed
    assert parsed.street == "文三路100號"
