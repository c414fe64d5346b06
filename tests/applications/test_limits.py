"""Limits at exactly the limit and one past it, and the small bugs a planted mutation
showed the suite let through (issue 18, item 3): invoice year and buyer rules, the per-line
used amount, upload size and pixel limits, search terms for codes and rare characters,
and the working-day calendar's chunked reading."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image

from applications.forms import detail_form
from applications.rules import invoice_problems
from applications.uploads import UploadRejected, inspect_upload
from catalogue.models import ApplicationKind
from search.text import index_terms, query_terms, runs
from workdays.calendar import add_working_days
from workdays.models import SpecialDay

from .factories import make_application, make_dossier, make_station

D = datetime.date
EXPLAIN = "请上传加盖公章的发票说明（材料“发票说明（加盖公章）”）。"


# --------------------------------------------------------------------------- invoices


def line(used="100.00", amount="100.00", **extra):
    values = {
        "invoice_code": "",
        "invoice_number": "12345678",
        "invoice_amount": Decimal(amount),
        "used_amount": Decimal(used),
        "issued_on": D(2026, 5, 20),
        "buyer_name": "甲公司",
    }
    values.update(extra)
    return SimpleNamespace(**values)


def check(lines, explanation=False):
    return invoice_problems(
        lines, applicant_name="甲公司", subsidy_year=2026, has_explanation=explanation
    )


@pytest.mark.parametrize(
    ("issued_on", "in_year"),
    [
        (D(2025, 12, 31), False),  # one day before the subsidy year
        (D(2026, 1, 1), True),  # its first day
        (D(2026, 12, 31), True),  # its last day
        (D(2027, 1, 1), False),  # one day after: as suspicious as one before
    ],
)
def test_an_invoice_dated_outside_the_subsidy_year_either_side_needs_the_explanation(
    issued_on, in_year
):
    problems = check([line(issued_on=issued_on)])
    if in_year:
        assert problems == []
    else:
        assert problems == ["发票 12345678 开票日期不在 2026 补贴年度内。" + EXPLAIN]
        assert check([line(issued_on=issued_on)], explanation=True) == []


def test_one_line_of_a_multi_line_invoice_with_another_buyer_needs_the_explanation():
    lines = [line("60.00"), line("40.00", buyer_name="乙公司")]
    assert check(lines) == ["发票 12345678 发票抬头与申请主体“甲公司”不一致。" + EXPLAIN]
    # Surrounding spaces are not a different buyer.
    assert check([line("60.00"), line("40.00", buyer_name=" 甲公司 ")]) == []


def test_one_line_of_a_multi_line_invoice_dated_another_year_needs_the_explanation():
    lines = [line("60.00"), line("40.00", issued_on=D(2027, 1, 2))]
    assert check(lines) == ["发票 12345678 开票日期不在 2026 补贴年度内。" + EXPLAIN]


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        ("100.00", []),  # exactly the invoice amount
        (
            "100.01",  # one cent past it
            [
                "发票 12345678 的使用金额合计 100.01 元，与发票金额 100.00 元不一致；"
                "一张发票多个设备时每个设备录一条，使用金额之和应等于发票金额。",
                "发票 12345678 的使用金额 100.01 元超过发票金额。",
            ],
        ),
    ],
)
def test_a_lines_used_amount_up_to_the_invoice_amount(used, expected):
    assert check([line(used)]) == expected


def test_a_line_above_the_invoice_amount_is_named_even_when_the_sum_agrees():
    # 120 + (−20) = 100: the sum rule alone would let the first line through.
    assert check([line("120.00"), line("-20.00")]) == [
        "发票 12345678 的使用金额 120.00 元超过发票金额。"
    ]


@pytest.mark.django_db
@pytest.mark.clock()  # the station's dossier is dated inside the covered calendar
@pytest.mark.parametrize(
    ("year", "valid"), [("2014", False), ("2015", True), ("2100", True), ("2101", False)]
)
def test_the_subsidy_year_is_between_2015_and_2100(operator, year, valid):
    station = make_station(operator)
    make_dossier(operator, station)
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    form = detail_form(application, {"station": station.pk, "subsidy_year": year})
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert form.errors["subsidy_year"] == ["请填写正确的补贴年度，例如 2026。"]


# --------------------------------------------------------------------------- uploads


def png(size, mode="1") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, "PNG")
    return buf.getvalue()


class DeclaredSizeStream(io.BytesIO):
    """A stream that cannot seek to its end and declares a ``size``, like a request
    body streamed through: the declared size may be a lie."""

    def __init__(self, data: bytes, size: int):
        super().__init__(data)
        self.size = size

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_END:
            raise OSError("not seekable to the end")
        return super().seek(offset, whence)


def padded_png(total: int) -> bytes:
    """A valid PNG padded (after IEND) to exactly ``total`` bytes."""
    data = png((8, 8))
    return data + b"\0" * (total - len(data))


@pytest.mark.parametrize(("extra", "accepted"), [(0, True), (1, False)])
def test_the_size_limit_at_exactly_the_limit_and_one_byte_past(extra, accepted):
    limit = 4096
    data = padded_png(limit + extra)
    if accepted:
        assert (
            inspect_upload(io.BytesIO(data), name="a.png", formats="png", max_bytes=limit).size
            == limit
        )
    else:
        with pytest.raises(UploadRejected, match="超过上限"):
            inspect_upload(io.BytesIO(data), name="a.png", formats="png", max_bytes=limit)


@pytest.mark.parametrize(("extra", "accepted"), [(0, True), (1, False)])
def test_a_stream_is_measured_while_read_not_trusted_for_its_declared_size(extra, accepted):
    limit = 4096
    data = padded_png(limit + extra)
    stream = DeclaredSizeStream(data, size=100)  # claims to be small
    if accepted:
        assert inspect_upload(stream, name="a.png", formats="png", max_bytes=limit).size == limit
    else:
        with pytest.raises(UploadRejected, match="超过上限"):
            inspect_upload(stream, name="a.png", formats="png", max_bytes=limit)


def test_a_declared_size_over_the_limit_is_refused_before_reading():
    stream = DeclaredSizeStream(padded_png(200), size=5000)

    def never(*args):  # pragma: no cover - must not be called
        raise AssertionError("read although the declared size is over the limit")

    stream.read = never
    with pytest.raises(UploadRejected, match="超过上限"):
        inspect_upload(stream, name="a.png", formats="png", max_bytes=4096)


@pytest.mark.parametrize(
    ("size", "accepted"), [((100, 100), True), ((10001, 1), False), ((101, 100), False)]
)
def test_the_pixel_limit_at_exactly_the_limit_and_one_past(settings, size, accepted):
    settings.PORTAL_MAX_IMAGE_PIXELS = 10_000
    data = png(size)
    if accepted:
        assert inspect_upload(io.BytesIO(data), name="a.png", formats="png").width == size[0]
    else:
        with pytest.raises(UploadRejected) as refused:
            inspect_upload(io.BytesIO(data), name="a.png", formats="png")
        assert f"（{size[0]}×{size[1]}）" in refused.value.message


# --------------------------------------------------------------------------- search terms


@pytest.mark.parametrize(
    ("text", "indexed", "queried"),
    [
        # index layout (search/text.py): per stretch its pairs and last unit, then every unit
        ("91410100MA45XYZ12Q", ["91410100ma45xyz12q"] * 2, ["91410100ma45xyz12q"]),
        ("NB/T 33004-2020", ["nb", "t", "33004", "2020"] * 2, ["nb", "t", "33004", "2020"]),
        ("ＧＢ５００", ["gb500"] * 2, ["gb500"]),
        ("编号A1b2", ["编号", "号a1b2", "a1b2", "编", "号", "a1b2"], ["编号", "号a1b2"]),
    ],
)
def test_a_code_of_letters_and_digits_stays_one_term(text, indexed, queried):
    assert index_terms(text) == indexed
    assert query_terms(text) == queried


@pytest.mark.parametrize(
    ("char", "han"),
    [
        ("\u327f", False),  # below Extension A (U+3300–33FF fold to other text under NFKC)
        ("\u3400", True),  # first character of Extension A
        ("\u4db5", True),  # a rare character of Extension A (䶵)
        ("\u4dbf", True),  # last character of Extension A
        ("\u4dc0", False),  # just past it: a Yijing hexagram symbol
        ("\u4e00", True),  # first unified ideograph (一)
        ("\u9fa5", True),  # 龥
        ("\u9fff", True),  # last of the unified block
        ("\ua000", False),  # just past it: a Yi syllable
    ],
)
def test_han_runs_include_extension_a_and_stop_at_the_block_edges(char, han):
    text = f"地{char}名"
    assert runs(text) == ([f"地{char}名"] if han else ["地", "名"])


def test_a_rare_extension_a_name_is_indexed_and_found():
    terms = index_terms("㐀㙟村充电站")
    assert terms[:2] == ["㐀㙟", "㙟村"]
    assert terms[6:9] == ["㐀", "㙟", "村"]
    assert set(query_terms("㙟村")) <= set(terms)


# --------------------------------------------------------------------------- calendar


@pytest.mark.django_db
def test_counting_past_the_first_chunk_reads_the_very_next_day():
    """add_working_days reads special days in chunks (start .. start + n·7/5 + 45 days,
    then further). A holiday on the first day after the first chunk must be seen."""
    start = D(2026, 3, 2)  # a Monday
    first_chunk_end = start + datetime.timedelta(days=3 * 7 // 5 + 45)
    assert first_chunk_end == D(2026, 4, 20)
    day = start + datetime.timedelta(days=1)
    while day <= first_chunk_end:  # every day of the first chunk off
        SpecialDay.objects.update_or_create(
            date=day, defaults={"kind": SpecialDay.Kind.HOLIDAY, "name": "测试停工"}
        )
        day += datetime.timedelta(days=1)
    # The first day after the chunk, Tuesday 21 April, is off too.
    SpecialDay.objects.create(date=D(2026, 4, 21), kind=SpecialDay.Kind.HOLIDAY, name="测试停工")
    # 22, 23 and 24 April.
    assert add_working_days(start, 3) == D(2026, 4, 24)


# --------------------------------------------------------------------------- 联办申请表 form


@pytest.mark.django_db
@pytest.mark.clock()
def test_the_joint_form_checks_the_occupation_dates_and_the_postal_address(operator):
    from django.forms.models import model_to_dict

    from .factories import POWER_ITEM, ROAD_ITEM, joint_detail

    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    data = {k: "" if v is None else v for k, v in model_to_dict(joint_detail(application)).items()}

    def errors(**changes):
        form = detail_form(application, {**data, **changes})
        form.is_valid()
        return {k: v for k, v in form.errors.items() if k in ("occupation_end", "postal_address")}

    assert errors() == {}
    # The last day of occupation may be its first day, not one day before.
    assert errors(occupation_start="2027-03-10", occupation_end="2027-03-10") == {}
    assert errors(occupation_start="2027-03-10", occupation_end="2027-03-09") == {
        "occupation_end": ["占用结束日期不能早于开始日期。"]
    }
    assert errors(delivery="post", postal_address="") == {
        "postal_address": ["送达方式为邮寄，请填写邮寄地址。"]
    }
    assert errors(delivery="post", postal_address="信阳市浉河区新华路 1 号") == {}
