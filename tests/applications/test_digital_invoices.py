"""数电票 (20-digit number, no 发票代码) in the invoice lines: accepted, code refused,
full-width digits normalised, duplicates keyed on (code or empty, number)."""

import pytest

from applications.forms import save_detail
from applications.lines import add_invoice_line
from applications.rules import invoice_problems
from catalogue.models import ApplicationKind

from .factories import (
    invoice_line_data,
    make_application,
    make_dossier,
    make_station,
    make_subsidy_ready,
)

DIGITAL = "26412000000012345678"


@pytest.fixture
def subsidy(operator):
    station = make_subsidy_ready(make_station(operator, "浉河数电票充电站", pile_count=4))
    make_dossier(operator, station)
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    obj, form = save_detail(application, {"station": station.pk, "subsidy_year": "2026"})
    assert obj is not None, form.errors
    return application


def _add(application, **data):
    values = invoice_line_data(buyer_name=application.applicant.name, **data)
    return add_invoice_line(application, values, None, user=application.applicant.user)


def test_digital_invoice_line_has_no_code(subsidy):
    line, form = _add(subsidy, invoice_number=DIGITAL, invoice_code="")
    assert line is not None, form.errors
    assert (line.invoice_code, line.invoice_number) == ("", DIGITAL)


def test_digital_invoice_with_a_code_is_refused(subsidy):
    line, form = _add(subsidy, invoice_number=DIGITAL, invoice_code="4100231130")
    assert line is None
    assert form.errors["invoice_code"] == [
        "20 位发票号码的数电票（全电发票）没有发票代码，请留空。"
    ]


def test_full_width_digits_and_spaces_are_normalised(subsidy):
    typed = "２６４１ ２０００ ００００ １２３４ ５６７８"
    line, form = _add(subsidy, invoice_number=typed, invoice_code="")
    assert line is not None, form.errors
    assert line.invoice_number == DIGITAL


def test_digital_and_old_invoice_with_the_same_number_are_different_invoices(subsidy):
    _add(subsidy, invoice_number=DIGITAL, invoice_code="", used_amount="40000.00")
    _add(subsidy, invoice_number=DIGITAL, invoice_code="", used_amount="60000.00")
    _add(subsidy, invoice_number="12345678", invoice_code="4100231130")
    lines = list(subsidy.construction_subsidy.invoice_lines.all())
    assert {line.invoice_key for line in lines} == {("", DIGITAL), ("4100231130", "12345678")}
    # the two lines of the 数电票 add up to its amount: no problem reported
    assert (
        invoice_problems(
            lines, applicant_name=subsidy.applicant.name, subsidy_year=2026, has_explanation=False
        )
        == []
    )
