"""The subsidy figures and the gate on every surface: API (409, `subsidy`, 设备功率), the
applicant's form (message, disabled buttons) and the reviewer's page."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from applications.models import Application
from catalogue.models import ApplicationKind
from interconnect import credentials
from interconnect.models import Station
from subsidies.checks import GATE_TEXT
from tests.applications import factories

from .conftest import SECRETS, make_healthy, push_equipment

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]
API = "/api/v1"


def api_client(applicant):
    _, token = APIToken.create_token(user=applicant.user, name="test")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(method, path, data=None):
        if method == "get":
            return client.get(API + path, **headers)
        body = json.dumps(data or {})
        return getattr(client, method)(API + path, body, content_type="application/json", **headers)

    return call


def test_api_answers_409_with_the_guides_text_for_abnormal_station_data(operator, rules):
    station = factories.make_station(operator, "数据异常的充电站")
    push_equipment(station, "120", "120")
    factories.make_dossier(operator, station)
    make_healthy(station)
    Station.objects.filter(pk=station.pk).update(status_pushed_at=None)
    api = api_client(operator)
    created = api("post", "/applications", {"kind": "construction_subsidy"})
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    answer = api(
        "put",
        f"/applications/{reference}/detail",
        {"station": station.pk, "subsidy_year": 2026},
    )
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(GATE_TEXT)
    assert Application.objects.get(reference=reference).detail is None


def test_api_shows_power_and_the_computed_subsidy(construction):
    api = api_client(construction.applicant)
    data = api("get", f"/applications/{construction.reference}").json()
    assert data["invoice_lines"][0]["power_kw"] == "120.0"
    subsidy = data["subsidy"]
    assert subsidy["amount"] == "60000.00"
    assert subsidy["ratio"] == "公共 · 交通枢纽：30%"
    assert [cap["code"] for cap in subsidy["caps"]] == ["per_kw", "per_station", "per_applicant"]
    assert subsidy["health_now"]["health"] == "数据正常"
    assert "template" not in subsidy
    # A line of a pile without its power is refused with a Chinese message.
    line = factories.invoice_line_data(buyer_name=construction.applicant.name)
    line.pop("power_kw")
    answer = api("post", f"/applications/{construction.reference}/invoice-lines", line)
    assert answer.status_code == 422
    assert "充电桩请填写单台设备功率（kW）。" in answer.content.decode()


def test_applicants_form_shows_figures_and_disables_next_when_data_is_abnormal(
    construction, client
):
    client.force_login(construction.applicant.user)
    page = client.get(f"/my/applications/{construction.reference}/").content.decode()
    assert "补贴核算" in page and "60000.00 元" in page and "公共 · 交通枢纽：30%" in page
    assert "每千瓦上限（240.0 kW）：72000.00 元 — 未超出" in page
    assert "disabled" not in page.split('id="actions"')[1].split("</form>")[0]
    Station.objects.filter(pk=construction.detail.station_id).update(status_pushed_at=None)
    page = client.get(f"/my/applications/{construction.reference}/").content.decode()
    assert GATE_TEXT in page
    submit_form = page.split('id="actions"')[1].split("</form>")[0]
    assert "disabled" in submit_form


def test_reviewers_page_shows_the_figures(construction, catalogue_reviewer, client):
    factories.submit(construction)
    catalogue_reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(catalogue_reviewer)
    page = client.get(f"/admin/review/{construction.reference}/").content.decode()
    assert "补贴核算" in page and "60000.00 元" in page
    assert "提交时" in page and "数据正常" in page
    assert "120.0" in page  # 设备功率 column


def test_operation_subsidy_page_and_list_download(operator, rules, client, private_folder):
    from django.utils import timezone

    from applications.models import OperationSubsidy

    station = factories.make_station(operator, "公共充电站")
    factories.make_order(station, timezone.now().replace(month=3, day=1))
    application = factories.make_application(operator, ApplicationKind.OPERATION_SUBSIDY)
    OperationSubsidy.objects.create(application=application, year=timezone.localdate().year)
    client.force_login(operator.user)
    page = client.get(f"/my/subsidies/{application.reference}/orders/").content.decode()
    assert "补贴清单下载" in page and "0.63 元" in page  # 12.5 kWh × 0.05
    download = client.get(f"/my/subsidies/{application.reference}/order-list.xlsx")
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    number = application.order_lists.get().number
    answer = client.post(
        f"/my/subsidies/{application.reference}/orders/",
        {"number": number, "file": factories.pdf_upload("签字清单.pdf")},
    )
    assert answer.status_code == 302
    assert application.order_lists.get().signed_file is not None
    # Someone else's application is not found.
    other = factories.make_applicant()
    client.force_login(other.user)
    assert client.get(f"/my/subsidies/{application.reference}/orders/").status_code == 404


def test_reviewers_export_has_the_amount_and_caps(construction, catalogue_reviewer, client):
    import io

    from openpyxl import load_workbook

    factories.submit(construction)
    catalogue_reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(catalogue_reviewer)
    export = client.get("/admin/review/?export=xlsx")
    assert export.status_code == 200
    content = b"".join(export.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    headings = list(rows[0])
    assert headings[-2:] == ["补贴金额（元）", "适用的补贴上限"]
    row = next(r for r in rows[1:] if r[0] == construction.reference)
    assert str(row[headings.index("补贴金额（元）")]) in ("60000", "60000.00", "60000.0")


def test_the_station_step_names_each_station_in_words_with_its_data_health(
    operator, station, rules, client
):
    quiet = factories.make_station(operator, "尚无状态数据的充电站")
    factories.make_dossier(operator, quiet)
    application = factories.make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    client.force_login(operator.user)
    page = client.get(f"/my/applications/{application.reference}/").content.decode()
    assert f">{station.name}（公共 · 交通枢纽 · 数据正常）</option>" in page
    assert f">{quiet.name}（公共 · 其他 · 互联互通数据异常）</option>" in page


def test_a_refused_station_step_keeps_the_choice_and_disables_next_until_the_data_comes(
    operator, rules, client
):
    credentials.activate(operator, source="TEST", **SECRETS)  # 互联互通接入 approved
    station = factories.make_station(operator, "尚无状态数据的充电站")
    push_equipment(station, "120", "120")
    factories.make_dossier(operator, station)
    application = factories.make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    client.force_login(operator.user)
    url = f"/my/applications/{application.reference}/"
    year = timezone.localdate().year
    answer = client.post(url, {"station": station.pk, "subsidy_year": year})
    assert answer.status_code == 302
    assert answer["Location"] == f"{url}?station={station.pk}&subsidy_year={year}#detail-form"
    application.refresh_from_db()
    assert application.detail is None  # nothing stored past the gate

    def step(page):
        form = page.split('id="detail-form"')[1].split("</form>")[0]
        return form, form.split('class="form-actions"')[1]

    form, actions = step(client.get(answer["Location"]).content.decode())
    assert GATE_TEXT in form and "尚未收到充电接口状态数据" in form
    assert f'<option value="{station.pk}" selected>' in form
    assert "disabled" in actions and "重新选择" in actions
    # The operator platform pushes status and orders: the same page, reloaded, lets it on.
    make_healthy(station, platform=False)
    form, actions = step(client.get(answer["Location"]).content.decode())
    assert GATE_TEXT not in form and "disabled" not in actions
    assert client.post(url, {"station": station.pk, "subsidy_year": year}).status_code == 302
    application.refresh_from_db()
    assert application.detail.station == station
