"""统一社会信用代码 per GB 32100-2015: one validator (cms.credit_code) for every legal
code, including the letter-prefixed ones python-stdnum refuses."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from archive.fields import find_credit_codes, licence_fields
from cms import credit_code

# Real-format codes of every kind of registration authority, built with their check
# character: authority, category, division (GB/T 2260), organisation code.
EXAMPLES = {
    "企业（市场监管 9 / 1）": "91110000600037341L",  # python-stdnum's own example
    "农民专业合作社（9 / 3）": credit_code.make("93411503MA9F3K2L1"),
    "村级集体经济组织（N / 2）": credit_code.make("N2411502MF0012345"),
    "组级集体经济组织（N / 1）": credit_code.make("N1411503MF00A7B21"),
    "其他（Y / 1）": credit_code.make("Y1410100MC1234567"),
    "社会团体（民政 5 / 1）": credit_code.make("51410000509112345"),
    "军队事业单位（A / 1）": credit_code.make("A1100000MB0123456"),
    "机关（机构编制 1 / 1）": credit_code.make("11410000005184300"),
}


@pytest.mark.parametrize("code", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_every_registration_authority_is_valid(code):
    assert credit_code.validate(code) == code
    assert credit_code.is_valid(code)
    # a wrong check character is refused whatever the authority
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(credit_code.CreditCodeError) as exc:
        credit_code.validate(wrong)
    assert exc.value.reason == "checksum"
    assert "校验位不正确" in exc.value.message


def test_python_stdnum_refuses_letter_prefixed_codes_which_we_accept():
    for key in ("村级集体经济组织（N / 2）", "其他（Y / 1）", "军队事业单位（A / 1）"):
        code = EXAMPLES[key]
        assert not stdnum_uscc.is_valid(code)
        assert credit_code.is_valid(code)


def test_check_character_agrees_with_python_stdnum_on_digit_prefixed_codes():
    for body in ("91411500MA40H1R0X", "93411503MA9F3K2L1", "12410000415800012"):
        assert credit_code.check_character(body) == stdnum_uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    ("value", "reason", "message"),
    [
        ("9141150", "length", "应为 18 位（现为 7 位）"),
        ("91411500MA40H1ROX7", "format", "不含字母 O"),  # O for 0
        ("B1411502MF0012345X", "format", "第 1 位“B”不是登记管理部门代码"),
        ("9A411502MF0012345X", "format", "第 2 位为机构类别"),
        ("91411X02MF0012345X", "format", "第 3–8 位为行政区划数字"),
    ],
)
def test_malformed_codes_say_what_is_wrong(value, reason, message):
    with pytest.raises(credit_code.CreditCodeError) as exc:
        credit_code.validate(value)
    assert exc.value.reason == reason
    assert message in exc.value.message


def test_compact_accepts_full_width_spaces_and_lower_case():
    code = EXAMPLES["村级集体经济组织（N / 2）"]
    typed = " ".join(code[i : i + 6] for i in range(0, 18, 6)).lower()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    assert credit_code.validate(typed) == code
    assert credit_code.validate(full_width) == code


def test_archive_recognises_letter_prefixed_codes_on_a_licence():
    code = EXAMPLES["村级集体经济组织（N / 2）"]
    text = f"统一社会信用代码\n{code}\n名 称 信阳市浉河区示例村股份经济合作社"
    assert licence_fields(text)["credit_code"] == code
    assert find_credit_codes(f"代码 {code[:9]} {code[9:]} 其他") == [code]
