"""Field recognition from extracted text and QR payloads (no OCR here: fast)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from archive.fields import (
    FIELD_LABELS,
    Mismatch,
    certificate_fields,
    chinese_to_int,
    compare,
    find_credit_codes,
    invoice_fields,
    is_id_card_number,
    licence_fields,
    parse_capital,
    parse_chinese_amount,
    parse_date,
    parse_invoice_qr,
    recognise,
    repair_credit_code,
)
from tests.archive import samples

CODE = samples.LICENCE_CREDIT_CODE  # 91411500MA40H1R0X7

# What OCR returns for the synthetic licence (see test_extract for the real run).
LICENCE_TEXT = f"""营业执照
(副  本)
统一社会信用代码
{CODE}
名称河南示例充电科技有限公司 注册资本壹仟万元整
类型 有限责任公司 (自然人投资或控股) 成立日期2020年05月18日
法定代表人张三 营业期限长期
经营范围电动汽车充电基础设施运营 住所河南省信阳市浉河区示例路88号
登记机关
2020年05月18日"""

INVOICE_TEXT = f"""发票代码：044031900111
发票号码：12345678
河南增值税电子普通发票
开票日期：2026年03月15日
校 验 码：12345 67890 12345 67890
购买方
名    称：河南示例充电科技有限公司
纳税人识别号：{CODE}
项目名称 金额 税率 税额
*充电设备*直流充电桩 1000.00 13% 130.00
合    计 ￥1000.00 ￥130.00
价税合计（大写） 壹仟壹佰叁拾圆整 （小写）￥1,130.00
销售方
名    称：信阳市示例电气设备有限公司
纳税人识别号：{samples.make_credit_code("91411502MA45XY7K2")}"""


# --------------------------------------------------------------------------- numerals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("壹仟万元整", Decimal("1000")),
        ("伍佰万", Decimal("500")),
        ("1,000万元", Decimal("1000")),
        ("人民币壹仟万元", Decimal("1000")),
        ("人民币壹仟万元整", Decimal("1000")),
        ("壹佰伍拾万元人民币", Decimal("150")),
        ("壹亿贰仟万元", Decimal("12000")),
        ("拾万元", Decimal("10")),
        ("1000万人民币", Decimal("1000")),
        ("1000.5 万元", Decimal("1000.5")),
        ("1000（万元）", Decimal("1000")),
        ("10000000元", Decimal("1000")),
        ("1.5亿元", Decimal("15000")),
        ("１０００万元", Decimal("1000")),
        ("无", None),
        ("", None),
    ],
)
def test_registered_capital_in_wan_yuan(text, expected):
    assert parse_capital(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("壹仟", 1000),
        ("壹仟万", 10_000_000),
        ("伍佰万", 5_000_000),
        ("一千零五", 1005),
        ("壹拾万零伍佰", 100_500),
        ("十八", 18),
        ("二〇二〇", 2020),
        ("壹亿贰仟叁佰万", 123_000_000),
        ("12", None),
        ("", None),
    ],
)
def test_chinese_numerals(text, expected):
    assert chinese_to_int(text) == expected


def test_chinese_amounts_in_yuan():
    assert parse_chinese_amount("壹仟壹佰叁拾圆整") == Decimal("1130.00")
    assert parse_chinese_amount("壹拾万零伍佰元伍角陆分") == Decimal("100500.56")
    assert parse_chinese_amount("人民币伍角") == Decimal("0.50")
    assert parse_chinese_amount("有限公司") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年05月18日", date(2020, 5, 18)),
        ("2020 年 5 月 8 日", date(2020, 5, 8)),
        ("2020-05-18", date(2020, 5, 18)),
        ("2020/5/18", date(2020, 5, 18)),
        ("20260315", date(2026, 3, 15)),
        ("二〇二〇年五月十八日", date(2020, 5, 18)),
        ("2020年13月01日", None),
        ("长期", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


# --------------------------------------------------------------------------- credit codes


def test_valid_credit_code_is_kept():
    assert repair_credit_code(CODE) == CODE
    assert repair_credit_code(CODE.lower()) == CODE
    assert repair_credit_code(" ".join([CODE[:8], CODE[8:]])) == CODE


def test_ocr_confusions_are_repaired_only_when_that_makes_the_code_valid():
    misread = CODE.replace("0", "O").replace("1", "I")  # 9I4II5OOMA4OHIROX7
    assert misread != CODE
    assert repair_credit_code(misread) == CODE
    # a wrong character that is not a known confusion stays invalid
    wrong = CODE[:10] + ("8" if CODE[10] != "8" else "7") + CODE[11:]
    assert repair_credit_code(wrong) is None
    # confusions that do not lead to a valid code are not "repaired"
    assert repair_credit_code("9I4II5OOMA4OHIROX8") is None
    assert repair_credit_code("12345") is None


def test_credit_codes_are_found_in_running_text():
    text = f"纳税人识别号：{CODE}，另见 {CODE} 与 91110000600037341L。号码 123456789012345670"
    assert find_credit_codes(text) == [CODE, "91110000600037341L"]


def test_unlabelled_id_card_numbers_are_not_taken_for_credit_codes():
    id_number = "411502199001011042"  # a well-formed ID number that passes the USCC check
    assert is_id_card_number(id_number)
    assert find_credit_codes(id_number) == [id_number]
    assert find_credit_codes(id_number, skip_id_numbers=True) == []
    assert licence_fields(f"负责人 张三 身份证号 {id_number}") == {"legal_representative": "张三"}
    # a labelled code is taken as printed
    assert licence_fields(f"统一社会信用代码 {id_number}")["credit_code"] == id_number


# --------------------------------------------------------------------------- licences


def test_licence_fields_from_ocr_text():
    assert licence_fields(LICENCE_TEXT) == {
        "credit_code": CODE,
        "name": "河南示例充电科技有限公司",
        "registered_capital": Decimal("1000"),
        "legal_representative": "张三",
        "registered_on": date(2020, 5, 18),
    }


def test_licence_fields_with_labels_spaced_and_colons():
    text = (
        "统一社会信用代码：9I4II5OOMA4OHIROX7\n"
        "名　　称：河南示例（信阳）充电科技有限公司\n"
        "注册资本：人民币伍佰万元整\n"
        "法定代表人：张  三\n"
        "成立日期：二〇二〇年五月十八日"
    )
    assert licence_fields(text) == {
        "credit_code": CODE,
        "name": "河南示例(信阳)充电科技有限公司",
        "registered_capital": Decimal("500"),
        "legal_representative": "张三",
        "registered_on": date(2020, 5, 18),
    }


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("法定代表人 张三", "张三"),
        ("法定代表人 张 三", "张三"),
        ("法定代表人：欧阳小明（签字）", "欧阳小明"),
        ("法定代表人 张三 营业期限 长期", "张三"),
        ("负责人 李四 2020年05月18日", "李四"),
        ("法定代表人 JOHN SMITH", "JOHN SMITH"),
    ],
)
def test_legal_representative_variants(line, expected):
    assert licence_fields(line)["legal_representative"] == expected


def test_licence_fields_only_report_what_was_found():
    assert licence_fields("营业执照 (副本)\n经营范围 充电设施") == {}
    assert licence_fields("") == {}


# --------------------------------------------------------------------------- invoices


def test_invoice_qr_payload():
    assert parse_invoice_qr(samples.INVOICE_QR) == {
        "invoice_type": "10",
        "invoice_code": "044031900111",
        "invoice_number": "12345678",
        "issued_on": date(2026, 3, 15),
        "amount_excl_tax": Decimal("1000.00"),
        "check_code": "12345678901234567890",
    }


def test_full_digital_invoice_qr_has_no_code():
    fields = parse_invoice_qr(samples.DIGITAL_INVOICE_QR)
    assert fields == {
        "invoice_type": "32",
        "invoice_number": "26412000000012345678",
        "issued_on": date(2026, 4, 1),
        "amount": Decimal("2260.00"),  # 数电票: the QR amount is 价税合计
        "digital": True,
    }


@pytest.mark.parametrize(
    ("payload", "number", "amount"),
    [
        # layouts seen in public material: 专票 (31), 普票 (32), no trailing fields
        ("01,31,,24922000000012341234,666.00,20240208,,76A1", "24922000000012341234", "666.00"),
        ("01,32,,24312000000136634917,0.01,20240514,,1DD6", "24312000000136634917", "0.01"),
        ("01,32,,24417000000034170288,199.00,20240720", "24417000000034170288", "199.00"),
        (
            "０１，３２，，26427000000316294884，100.76，20260330，，5F98",
            "26427000000316294884",
            "100.76",
        ),
    ],
)
def test_digital_invoice_qr_layouts(payload, number, amount):
    fields = parse_invoice_qr(payload)
    assert fields["invoice_number"] == number
    assert fields["amount"] == Decimal(amount)
    assert fields["digital"] is True
    assert "invoice_code" not in fields and "amount_excl_tax" not in fields


@pytest.mark.parametrize(
    "payload",
    [
        "https://example.com/verify?id=1",
        "01,10,044031900111,1234,1000.00,20260315,,A1B2",  # number too short
        "01,10,044031900111,12345678,1000.00,20261340,,A1B2",  # impossible date
        "01,10,,12345678,1000.00,20260315,,A1B2",  # old layout without its code
        "01,10,044031900111,24922000000012341234,1.00,20260315,,A1B2",  # 20 digits + code
        "01,32,,2492200000001234123,1.00,20260315,,A1B2",  # 19 digits
        "02,10,044031900111,12345678,1000.00,20260315,,A1B2",
        "",
    ],
)
def test_other_qr_payloads_are_ignored(payload):
    assert parse_invoice_qr(payload) is None


def test_invoice_fields_from_printed_text():
    assert invoice_fields(INVOICE_TEXT) == {
        "invoice_code": "044031900111",
        "invoice_number": "12345678",
        "issued_on": date(2026, 3, 15),
        "check_code": "12345678901234567890",
        "amount": Decimal("1130.00"),
        "amount_excl_tax": Decimal("1000.00"),
        "buyer_name": "河南示例充电科技有限公司",
        "seller_name": "信阳市示例电气设备有限公司",
    }


def test_qr_values_win_over_ocr_text():
    misread = INVOICE_TEXT.replace("12345678\n", "12845678\n").replace("03月15日", "03月16日")
    fields = invoice_fields(misread, ["not an invoice", samples.INVOICE_QR])
    assert fields["invoice_number"] == "12345678"
    assert fields["issued_on"] == date(2026, 3, 15)
    assert fields["amount"] == Decimal("1130.00")  # 价税合计 stays the printed total
    assert fields["buyer_name"] == "河南示例充电科技有限公司"  # only printed


def test_full_digital_invoice_from_qr_only():
    fields = invoice_fields("", [samples.DIGITAL_INVOICE_QR])
    assert fields == {
        "invoice_type": "32",
        "invoice_number": "26412000000012345678",
        "issued_on": date(2026, 4, 1),
        "amount": Decimal("2260.00"),
        "digital": True,
    }


def test_digital_invoice_qr_total_wins_over_a_misread_printed_total():
    text = "电子发票(普通发票)\n发票号码:26412000000012345678\n价税合计(大写) 贰仟贰佰陆拾圆整 (小写)¥2266.00"
    fields = invoice_fields(text, [samples.DIGITAL_INVOICE_QR])
    assert fields["amount"] == Decimal("2260.00")


def test_digital_invoice_from_printed_text_has_no_code():
    text = (
        "电子发票（普通发票） 发票号码：26412000000012345678\n开票日期：2026年04月01日\n"
        "合 计 ￥2000.00 ￥260.00\n价税合计（大写） ⊗贰仟贰佰陆拾圆整 （小写）￥2,260.00"
    )
    fields = invoice_fields(text)
    assert fields["invoice_number"] == "26412000000012345678"
    assert fields["digital"] is True
    assert "invoice_code" not in fields
    assert fields["amount"] == Decimal("2260.00")  # ￥ (full width) read after NFKC
    assert fields["amount_excl_tax"] == Decimal("2000.00")


def test_full_digital_invoice_layout_with_parties_side_by_side():
    text = (
        "电子发票(普通发票)\n发票号码:26412000000012345678\n开票日期:2026年04月01日\n"
        "购买方信息 名称:河南示例充电科技有限公司 销售方信息 名称:信阳市示例电气设备有限公司\n"
        "价税合计(大写) ⊗贰仟贰佰陆拾圆整 (小写)¥2260.00"
    )
    fields = invoice_fields(text, [samples.DIGITAL_INVOICE_QR])
    assert fields["buyer_name"] == "河南示例充电科技有限公司"
    assert fields["seller_name"] == "信阳市示例电气设备有限公司"
    assert fields["amount"] == Decimal("2260.00")
    assert "invoice_code" not in fields


def test_invoice_total_from_capitals_when_the_figure_is_unreadable():
    text = "价税合计（大写） 壹仟壹佰叁拾圆伍角整  （小写）¥ ----"
    assert invoice_fields(text)["amount"] == Decimal("1130.50")


def test_seller_is_recognised_by_its_label_even_when_first():
    text = "销售方 名称：乙公司\n购买方 名称：甲公司"
    fields = invoice_fields(text)
    assert (fields["buyer_name"], fields["seller_name"]) == ("甲公司", "乙公司")


# --------------------------------------------------------------------------- certificates


def test_electrician_certificate():
    text = "电工进网作业许可证\n姓名：李明\n性别：男\n许可类别：低压\n编号：41150220180123\n有效期至：2027年06月30日"
    assert certificate_fields(text) == {
        "certificate_type": "电工进网作业许可证",
        "certificate_number": "41150220180123",
        "holder_name": "李明",
    }


def test_special_operation_certificate():
    text = "中华人民共和国\n特种作业操作证\n证号 T41150219900101123X\n姓 名 王小二 性别 男\n作业类别 电工作业"
    assert certificate_fields(text) == {
        "certificate_type": "特种作业操作证",
        "certificate_number": "T41150219900101123X",
        "holder_name": "王小二",
    }


def test_product_certificate():
    text = "产品合格证\n产品名称：直流充电桩\n型号：DC-120kW\n出厂编号：HG-2026-0001\n检验员：03"
    assert certificate_fields(text) == {
        "certificate_type": "产品合格证",
        "certificate_number": "HG-2026-0001",
        "product_name": "直流充电桩",
    }


def test_certificate_number_with_province_prefix():
    assert certificate_fields("证书编号：豫 2018-0123")["certificate_number"] == "豫2018-0123"


def test_recognise_dispatches_by_kind():
    assert recognise("licence", LICENCE_TEXT, [])["credit_code"] == CODE
    assert recognise("invoice", "", [samples.INVOICE_QR])["invoice_number"] == "12345678"
    assert recognise("certificate", "编号：41150220180123", [])["certificate_number"]
    assert recognise("report", LICENCE_TEXT, []) == {}
    assert recognise("other", LICENCE_TEXT, [samples.INVOICE_QR]) == {}


# --------------------------------------------------------------------------- compare


@pytest.fixture
def recognised_invoice():
    return invoice_fields(INVOICE_TEXT, [samples.INVOICE_QR])


def test_compare_reports_a_different_invoice_number(recognised_invoice):
    mismatches = compare(recognised_invoice, {"invoice_number": "12345679"})
    assert mismatches == [Mismatch("invoice_number", "发票号码", "12345679", "12345678")]
    assert mismatches[0].message == ("发票号码：申报为“12345679”，材料中识别为“12345678”，请核对。")


def test_compare_equal_values_give_no_mismatch(recognised_invoice):
    declared = {
        "invoice_number": " 12345678 ",
        "invoice_code": "044031900111",
        "invoice_amount": "1,130.00",  # model field name, string with thousands separator
        "issued_on": date(2026, 3, 15),
        "buyer_name": "河南示例充电科技有限公司",
        "check_code": "567890",  # last six digits
        "used_amount": Decimal("500"),  # not recognised: ignored
        "seller_name": "",  # blank: ignored
    }
    assert compare(recognised_invoice, declared) == []


def test_compare_amount_accepts_the_amount_before_tax(recognised_invoice):
    assert compare(recognised_invoice, {"amount": Decimal("1000")}) == []
    [mismatch] = compare(recognised_invoice, {"amount": Decimal("1200")})
    assert (mismatch.field, mismatch.label_zh) == ("amount", "发票金额")


def test_compare_dates_and_names():
    recognised = {
        "name": "河南示例（信阳）充电科技有限公司",
        "registered_on": date(2020, 5, 18),
        "credit_code": CODE,
        "registered_capital": Decimal("1000"),
    }
    declared = {
        "name": "河南示例(信阳) 充电科技有限公司",
        "registered_on": "2020-05-18",
        "credit_code": CODE.lower(),
        "registered_capital": "1000.00",
    }
    assert compare(recognised, declared) == []
    declared.update(registered_on="2020年05月19日", name="河南示例充电有限公司")
    assert [m.field for m in compare(recognised, declared)] == ["name", "registered_on"]
    assert {m.label_zh for m in compare(recognised, declared)} == {"企业名称", "成立日期"}


def test_every_compared_field_has_a_chinese_label():
    for field, label in FIELD_LABELS.items():
        assert label and not label.isascii(), field
