"""The finance report: approved and pending amounts by year, city, type and operator."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from applications.models import Application, State
from catalogue.models import ApplicantType, ApplicationKind
from regions.models import Region
from subsidies.models import SubsidyComputation
from subsidies.report import report_rows
from tests.applications import factories

pytestmark = [pytest.mark.django_db]


def claim(applicant, kind, year, amount, state, region=None):
    application = factories.make_application(applicant, kind)
    Application.objects.filter(pk=application.pk).update(
        state=state, region=region or applicant.region
    )
    SubsidyComputation.objects.create(
        application=application,
        kind="construction" if kind == ApplicationKind.CONSTRUCTION_SUBSIDY else "operation",
        year=year,
        amount=Decimal(amount),
    )


@pytest.fixture
def claims(db):
    factories.ensure_reference_data()
    a = factories.make_applicant(ApplicantType.OPERATOR, name="甲运营商")
    b = factories.make_applicant(ApplicantType.OPERATOR, name="乙运营商")
    zhengzhou = Region.objects.get(code="410102")  # 郑州市中原区
    c, o = ApplicationKind.CONSTRUCTION_SUBSIDY, ApplicationKind.OPERATION_SUBSIDY
    claim(a, c, 2026, "60000.00", State.APPROVED)
    claim(a, c, 2026, "1000.50", State.UNDER_REVIEW)
    claim(a, c, 2026, "999.00", State.REJECTED)  # not counted
    claim(a, c, 2026, "888.00", State.DRAFT)  # not counted
    claim(a, o, 2026, "6.17", State.SUBMITTED)
    claim(b, c, 2025, "20000.00", State.APPROVED, region=zhengzhou)
    claim(b, c, 2026, "0.01", State.NEEDS_SUPPLEMENT, region=zhengzhou)
    return a, b


def test_rows_by_year_city_type_and_operator(claims):
    rows, totals = report_rows()
    table = [
        (r["year"], r["city"], r["kind"], r["operator"], r["approved"], r["pending"]) for r in rows
    ]
    assert table == [
        (2026, "信阳市", "建设补贴", "甲运营商", Decimal("60000.00"), Decimal("1000.50")),
        (2026, "信阳市", "运营补贴", "甲运营商", Decimal("0.00"), Decimal("6.17")),
        (2026, "郑州市", "建设补贴", "乙运营商", Decimal("0.00"), Decimal("0.01")),
        (2025, "郑州市", "建设补贴", "乙运营商", Decimal("20000.00"), Decimal("0.00")),
    ]
    assert totals["approved"] == Decimal("80000.00")
    assert totals["pending"] == Decimal("1006.68")
    assert (totals["approved_n"], totals["pending_n"]) == (2, 3)
    rows, totals = report_rows(2025)
    assert [r["operator"] for r in rows] == ["乙运营商"]


def test_report_page_and_xlsx_for_reviewers_only(claims, client):
    from django.contrib.auth.models import Permission

    reviewer = factories.make_reviewer("platform")
    reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    applicant_user = claims[0].user
    client.force_login(applicant_user)
    assert client.get("/admin/subsidies/report/").status_code in (302, 403)
    client.force_login(reviewer)
    page = client.get("/admin/subsidies/report/")
    assert page.status_code == 200
    assert "甲运营商" in page.text and "60000.00" in page.text
    export = client.get("/admin/subsidies/report.xlsx?year=2026")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("补贴年度", "城市", "补贴类型", "运营商")
    assert values[-1][0] == "合计" and values[-1][5] == 60000
