"""The operator-platform JSON API (/api/v1/): token auth, the same rules as the web
forms, streaming uploads, per-applicant scoping and secrets that never leave masked.

Files are generated with Pillow (PNG and PDF); the catalogue comes from the data
migration catalogue/0002.
"""

import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image
from stdnum.cn import uscc
from wagtail.models import APIToken

from accounts.models import Applicant
from applications.models import Application, Attachment, Interconnection
from regions.models import Region
from tests.applications.factories import make_station, make_subsidy_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    """Regions, catalogue and calendar, even after a transactional test flushed them."""
    from tests.applications.factories import ensure_reference_data

    ensure_reference_data()


API = "/api/v1"

STATION_NAME = "信阳浉河万达广场充电站"
DOSSIER_MATERIALS = {
    "civil-works-photo": "png",
    "equipment-photo": "png",
    "product-certificate": "pdf",
    "completion-acceptance-report": "pdf",
    "final-accounts-report": "pdf",
}
SECRETS = {
    "access_key": "AKplainACCESS0123456789",
    "signing_key": "SIGplainSIGNING987654321",
    "message_key": "MSGplainMESSAGEkey55555",
    "message_iv": "IVplainINITVECTOR12345",
}


# --- builders -------------------------------------------------------------------------


def png_bytes(size=(320, 200), noise=False) -> bytes:
    img = Image.effect_noise(size, 90).convert("RGB") if noise else Image.new("RGB", size, "teal")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(pages=1) -> bytes:
    images = [Image.new("RGB", (595, 842), "white") for _ in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def file_for(fmt: str, name: str | None = None) -> SimpleUploadedFile:
    content = png_bytes() if fmt == "png" else pdf_bytes()
    ctype = "image/png" if fmt == "png" else "application/pdf"
    return SimpleUploadedFile(name or f"材料.{fmt}", content, content_type=ctype)


def credit_code(seq: int) -> str:
    body = f"91411502MA{seq:07d}"
    return body + uscc.calc_check_digit(body)


def make_applicant(seq: int, *, status=Applicant.Status.ACTIVE, name=None):
    user = get_user_model().objects.create_user(username=f"op{seq}", password="x-Pass-9911")
    applicant = Applicant.objects.create(
        user=user,
        kind="operator",
        name=name or f"河南测试充电科技有限公司{seq}",
        credit_code=credit_code(seq),
        contact_name="张三",
        mobile="13812345678",
        region=Region.objects.get(code="411502"),
        status=status,
    )
    _, plaintext = APIToken.create_token(user=user, name="test")
    return applicant, plaintext


class ApiClient:
    """Django's test client with the bearer token on every request."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.headers)

    def post(self, path, data=None):
        return self.client.post(
            API + path, json.dumps(data or {}), content_type="application/json", **self.headers
        )

    def put(self, path, data):
        return self.client.put(
            API + path, json.dumps(data), content_type="application/json", **self.headers
        )

    def delete(self, path):
        return self.client.delete(API + path, **self.headers)

    def upload(self, reference, requirement, upload, **extra):
        return self.client.post(
            f"{API}/applications/{reference}/attachments",
            {"requirement": requirement, "file": upload, **extra},
            **self.headers,
        )


@pytest.fixture
def operator():
    applicant, token = make_applicant(1)
    return applicant, ApiClient(token)


@pytest.fixture
def other_operator():
    applicant, token = make_applicant(2)
    return applicant, ApiClient(token)


def dossier_detail(name=STATION_NAME):
    return {
        "station_name": name,
        "started_on": "2026-03-01",
        "completed_on": "2026-06-30",
        "manager": "李四",
        "manager_phone": "13900001111",
        "filed_name": name,
        "filed_address": "信阳市浉河区新七大道 1 号",
    }


def submitted_dossier(api, applicant, name=STATION_NAME):
    """A station pushed by the platform and its 建站资料, submitted through the API."""
    station = make_subsidy_ready(make_station(applicant, name, pile_count=10))
    response = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail(name)}
    )
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    for code, fmt in DOSSIER_MATERIALS.items():
        response = api.upload(reference, code, file_for(fmt))
        assert response.status_code == 201, response.content
    response = api.post(f"/applications/{reference}/submit")
    assert response.status_code == 200, response.content
    return station, reference


def private_files() -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- authentication -------------------------------------------------------------------


def test_requests_without_a_valid_token_are_refused(operator):
    applicant, api = operator
    assert ApiClient(None).get("/applications").status_code == 401
    bad = ApiClient("wagtail_notARealToken000000000000000000000")
    response = bad.get("/applications")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    _, token = make_applicant(9)
    wrong_scheme = Client().get(f"{API}/applications", HTTP_AUTHORIZATION=f"Token {token}")
    assert wrong_scheme.status_code == 401

    assert api.get("/applications").status_code == 200
    APIToken.objects.filter(user=applicant.user).update(revoked_at=timezone.now())
    revoked = api.get("/applications")
    assert revoked.status_code == 401
    assert "令牌" in revoked.json()["detail"]


def test_a_session_login_does_not_replace_the_token(operator):
    applicant, _ = operator
    client = Client()
    client.force_login(applicant.user)
    assert client.get(f"{API}/applications").status_code == 401


@pytest.mark.parametrize(
    "status, words",
    [
        (Applicant.Status.PENDING, "审核中"),
        (Applicant.Status.REJECTED, "未通过审核"),
        (Applicant.Status.LOCKED, "锁定"),
    ],
)
def test_accounts_that_are_not_active_are_refused(status, words):
    _, token = make_applicant(7, status=status)
    response = ApiClient(token).get("/catalogue/items")
    assert response.status_code == 403
    assert words in response.json()["detail"]
    assert ApiClient(token).post("/applications", {"kind": "station_dossier"}).status_code == 403
    assert Application.objects.count() == 0


def test_staff_tokens_without_an_applicant_are_refused():
    user = get_user_model().objects.create_user(username="staff", password="x")
    _, token = APIToken.create_token(user=user, name="staff")
    response = ApiClient(token).get("/applications")
    assert response.status_code == 403
    assert "申请人" in response.json()["detail"]


# --- catalogue ------------------------------------------------------------------------


def test_catalogue_lists_eligible_items_with_their_materials(operator):
    _, api = operator
    response = api.get("/catalogue/items", kind="station_dossier")
    assert response.status_code == 200
    [item] = response.json()
    assert item["code"] == "station-dossier"
    materials = {m["code"]: m for m in item["materials"]}
    assert set(materials) == set(DOSSIER_MATERIALS)
    assert materials["product-certificate"]["formats"] == ["pdf"]
    assert materials["product-certificate"]["due_at_submission"] is True
    assert materials["product-certificate"]["source_label"]

    everything = api.get("/catalogue/items").json()
    kinds = {i["kind"] for i in everything}
    assert "account" not in kinds
    assert "joint_installation" in kinds
    # A resident-only item is not offered to an operator.
    assert "xy-low-voltage-resident" not in {i["code"] for i in everything}

    wrong = api.get("/catalogue/items", kind="nonsense")
    assert wrong.status_code == 422
    assert "申请类型" in wrong.json()["detail"]


# --- station dossier: the whole flow --------------------------------------------------


def test_station_dossier_full_flow(operator, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    import applications.api.routes_attachments

    received = []
    original_add = applications.api.routes_attachments.add_attachment

    def recording_add(application, requirement, upload, **kwargs):
        received.append((requirement.code, type(upload)))
        return original_add(application, requirement, upload, **kwargs)

    monkeypatch.setattr(applications.api.routes_attachments, "add_attachment", recording_add)
    applicant, api = operator
    station = make_station(applicant, STATION_NAME, pile_count=12)

    created = api.post("/applications", {"kind": "station_dossier", "detail": dossier_detail()})
    assert created.status_code == 201, created.content
    body = created.json()
    reference = body["reference"]
    assert body["state"] == "draft"
    assert body["title"] == STATION_NAME
    assert body["detail"]["station_name"] == STATION_NAME
    assert {row["status"] for row in body["checklist"]} == {"missing"}
    assert any("缺少" in p for p in body["submission_problems"])

    # Submitting too early lists every missing material at once.
    early = api.post(f"/applications/{reference}/submit")
    assert early.status_code == 422
    assert len(early.json()["problems"]) == len(DOSSIER_MATERIALS)
    assert early.json()["detail"].startswith(f"共 {len(DOSSIER_MATERIALS)} 项问题")

    uploaded = {}
    for code, fmt in DOSSIER_MATERIALS.items():
        if code == "equipment-photo":
            # Larger than FILE_UPLOAD_MAX_MEMORY_SIZE: Django spools it to a temp file.
            content = png_bytes((1100, 1000), noise=True)
            assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
            upload = SimpleUploadedFile("设备照片.png", content, content_type="image/png")
        else:
            upload = file_for(fmt)
            content = upload.read()
            upload.seek(0)
        response = api.upload(reference, code, upload)
        assert response.status_code == 201, response.content
        attachment = response.json()
        assert attachment["requirement"] == code
        assert attachment["format"] == fmt
        assert attachment["size"] == len(content)
        assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
        assert attachment["verdict"] == "pending"
        uploaded[code] = (attachment, content)

    # The large upload reached the validation as a spooled temporary file.
    assert dict(received)["equipment-photo"] is TemporaryUploadedFile
    # The large file streams back byte for byte.
    attachment, content = uploaded["equipment-photo"]
    download = api.client.get(attachment["download_url"], **api.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]

    submitted = api.post(f"/applications/{reference}/submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["state"] == "submitted"
    assert body["state_label"] == "已提交"
    assert body["editable"] is False
    [review] = body["reviews"]
    assert review["department"] == "platform"
    assert review["status"] == "pending"
    assert review["overdue"] is False
    assert "due_date" in review and "calendar_missing_year" in review
    assert body["events"][0]["action"] == "created"
    workflow_events = [e for e in body["events"] if not e["action"].startswith("document")]
    assert workflow_events[-1]["action"] == "submitted"
    station.refresh_from_db()
    assert station.dossier.application.reference == reference

    read = api.get(f"/applications/{reference}").json()
    assert read["state"] == "submitted"
    assert {a["requirement"] for a in read["attachments"]} == set(DOSSIER_MATERIALS)
    assert {row["status"] for row in read["checklist"]} == {"ok"}
    assert api.get(f"/applications/{reference}/notices").json() == []

    listing = api.get("/applications", kind="station_dossier", state="submitted").json()
    assert listing["count"] == 1
    assert listing["items"][0]["reference"] == reference
    assert api.get("/applications", state="draft").json()["count"] == 0
    assert api.get("/applications", limit=500).status_code == 422

    stations = api.get("/stations").json()
    assert len(stations) == 1
    listed = stations[0]
    assert (listed["id"], listed["name"], listed["dossier"]) == (
        station.pk,
        STATION_NAME,
        reference,
    )
    assert (listed["station_type"], listed["construction"]) == ("公共", "其他")
    assert listed["equipment"] == [] and listed["orders_by_year"] == {}
    assert listed["health"] == "互联互通数据异常"

    # A submitted application cannot be changed or deleted: 409.
    changed = api.put(f"/applications/{reference}/detail", dossier_detail())
    assert changed.status_code == 409
    assert "已提交" in changed.json()["detail"]
    late = api.upload(reference, "product-certificate", file_for("pdf"))
    assert late.status_code == 409
    assert api.delete(f"/applications/{reference}").status_code == 409
    assert api.post(f"/applications/{reference}/submit").status_code == 409

    # Withdraw → draft, then it may be deleted with its files.
    withdrawn = api.post(f"/applications/{reference}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "draft"
    assert api.post(f"/applications/{reference}/withdraw").status_code == 409
    files_before = len(private_files())
    assert files_before >= len(DOSSIER_MATERIALS)
    response = api.delete(f"/applications/{reference}")
    assert response.status_code == 204
    assert not Application.objects.filter(reference=reference).exists()


def test_station_name_must_match_a_registered_station(operator):
    applicant, api = operator
    make_station(applicant, STATION_NAME, pile_count=4)
    created = api.post(
        "/applications",
        {"kind": "station_dossier", "detail": dossier_detail("信阳浉河万达充电站")},
    )
    reference = created.json()["reference"]
    for code, fmt in DOSSIER_MATERIALS.items():
        assert api.upload(reference, code, file_for(fmt)).status_code == 201
    response = api.post(f"/applications/{reference}/submit")
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert STATION_NAME in problem  # the close match is suggested


def test_invalid_detail_is_refused_with_field_messages_and_nothing_stored(operator):
    _, api = operator
    detail = dossier_detail()
    detail.update(manager_phone="123", completed_on="2026-01-01", started_on="2026/03/01")
    response = api.post("/applications", {"kind": "station_dossier", "detail": detail})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert "联系电话" in body["errors"]
    assert any("11 位" in m for m in body["errors"]["联系电话"])
    assert "开工时间" in body["errors"]
    assert "manager_phone" in body["fields"]
    assert Application.objects.count() == 0

    unknown = api.post(
        "/applications", {"kind": "station_dossier", "detail": {**dossier_detail(), "foo": 1}}
    )
    assert unknown.status_code == 422
    assert "foo" in unknown.json()["detail"]
    assert Application.objects.count() == 0

    wrong_kind = api.post("/applications", {"kind": "account"})
    assert wrong_kind.status_code == 422
    assert "申请类型" in wrong_kind.json()["detail"]

    malformed = api.client.post(
        f"{API}/applications", "{not json", content_type="application/json", **api.headers
    )
    assert malformed.status_code == 400
    assert "JSON" in malformed.json()["detail"]

    missing = api.post("/applications", {})
    assert missing.status_code == 422
    assert "kind" in missing.json()["detail"]
    assert Application.objects.count() == 0


def test_put_detail_replaces_the_detail_of_a_draft(operator):
    _, api = operator
    reference = api.post("/applications", {"kind": "station_dossier"}).json()["reference"]
    assert api.get(f"/applications/{reference}").json()["detail"] is None
    response = api.put(f"/applications/{reference}/detail", dossier_detail("新站"))
    assert response.status_code == 200
    assert response.json()["detail"]["station_name"] == "新站"
    assert response.json()["title"] == "新站"
    bad = api.put(f"/applications/{reference}/detail", {"station_name": ""})
    assert bad.status_code == 422
    assert "充电站名称" in bad.json()["errors"]
    not_object = api.put(f"/applications/{reference}/detail", ["x"])
    assert not_object.status_code == 422
    broken = api.client.put(
        f"{API}/applications/{reference}/detail",
        "{broken",
        content_type="application/json",
        **api.headers,
    )
    assert broken.status_code == 400
    assert "JSON" in broken.json()["detail"]


# --- uploads --------------------------------------------------------------------------


def test_png_named_pdf_is_refused_and_nothing_is_stored(operator):
    _, api = operator
    reference = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail()}
    ).json()["reference"]
    before = private_files()
    disguised = SimpleUploadedFile("产品合格证.pdf", png_bytes(), content_type="application/pdf")
    response = api.upload(reference, "product-certificate", disguised)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "产品合格证.pdf" in detail
    assert "PNG" in detail and "pdf" in detail
    assert Attachment.objects.count() == 0
    assert private_files() == before

    unknown = api.upload(reference, "no-such-material", file_for("pdf"))
    assert unknown.status_code == 422
    assert "材料清单" in unknown.json()["detail"]
    assert Attachment.objects.count() == 0


def test_attachments_can_be_deleted_while_editable(operator):
    _, api = operator
    reference = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail()}
    ).json()["reference"]
    attachment = api.upload(reference, "product-certificate", file_for("pdf")).json()
    assert (
        api.delete(f"/applications/{reference}/attachments/{attachment['id']}").status_code == 204
    )
    assert Attachment.objects.count() == 0
    assert (
        api.delete(f"/applications/{reference}/attachments/{attachment['id']}").status_code == 404
    )


def test_download_redirects_to_a_presigned_url_on_object_storage(operator, monkeypatch):
    _, api = operator
    reference = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail()}
    ).json()["reference"]
    attachment = api.upload(reference, "product-certificate", file_for("pdf", "合格证.pdf")).json()
    storage_class = type(Attachment._meta.get_field("file").storage)
    calls = []

    def presign(self, name, parameters=None, expire=None, http_method=None):
        calls.append(parameters)
        return f"https://oss.example.com/{name}?X-Amz-Signature=abc"

    monkeypatch.setattr(storage_class, "bucket_name", "portal", raising=False)
    monkeypatch.setattr(storage_class, "url", presign)
    response = api.get(f"/applications/{reference}/attachments/{attachment['id']}/download")
    assert response.status_code == 302
    assert response["Location"].startswith("https://oss.example.com/")
    assert "attachment" in calls[0]["ResponseContentDisposition"]
    assert calls[0]["ResponseContentType"] == "application/pdf"


def test_storage_outage_is_a_503(operator, monkeypatch):
    from cms.storage import StorageUnavailable

    _, api = operator
    reference = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail()}
    ).json()["reference"]

    def down(*args, **kwargs):
        raise StorageUnavailable()

    storage = Attachment._meta.get_field("file").storage
    monkeypatch.setattr(type(storage), "save", down)
    response = api.upload(reference, "product-certificate", file_for("pdf"))
    assert response.status_code == 503
    assert "文件存储服务暂时不可用" in response.json()["detail"]
    assert Attachment.objects.count() == 0


# --- construction subsidy: invoice lines ----------------------------------------------


def test_construction_subsidy_with_invoice_amounts_that_do_not_add_up(operator):
    applicant, api = operator
    station, _ = submitted_dossier(api, applicant)
    year = timezone.localdate().year
    created = api.post(
        "/applications",
        {
            "kind": "construction_subsidy",
            "detail": {"station": station.pk, "subsidy_year": year},
        },
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]

    line = {
        "equipment": "dc_pile",
        "quantity": 2,
        "power_kw": "120.0",
        "cost_name": "直流充电桩采购",
        "invoice_number": "12345678",
        "invoice_code": "4100231130",
        "invoice_amount": "10000.00",
        "used_amount": "6000.00",
        "issued_on": f"{year}-05-10",
        "buyer_name": applicant.name,
    }
    first = api.post(f"/applications/{reference}/invoice-lines", line)
    assert first.status_code == 201, first.content
    first = first.json()
    assert first["invoice_amount"] == "10000.00"
    assert first["invoice_file"] is None

    # The invoice file, linked to the first line.
    invoice = api.upload(
        reference, "invoice", file_for("pdf", "发票.pdf"), invoice_line=first["id"]
    )
    assert invoice.status_code == 201, invoice.content
    invoice_id = invoice.json()["id"]

    # A second device on the same invoice shares its file automatically.
    second = api.post(
        f"/applications/{reference}/invoice-lines",
        {
            **line,
            "equipment": "civil",
            "quantity": 1,
            "cost_name": "安装",
            "used_amount": "3000.00",
        },
    )
    assert second.status_code == 201
    assert second.json()["invoice_file"] == invoice_id

    bad_line = api.post(
        f"/applications/{reference}/invoice-lines",
        {**line, "invoice_number": "123", "used_amount": "20000.00"},
    )
    assert bad_line.status_code == 422
    assert "发票号码" in bad_line.json()["errors"]
    assert "使用金额（元）" in bad_line.json()["errors"]

    response = api.post(f"/applications/{reference}/submit")
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any("9000.00" in p and "10000.00" in p and "不一致" in p for p in problems), problems
    assert Application.objects.get(reference=reference).state == "draft"

    # Fix the amounts: delete the second line and enter it with the missing 4000.
    assert (
        api.delete(f"/applications/{reference}/invoice-lines/{second.json()['id']}").status_code
        == 204
    )
    fixed = api.post(
        f"/applications/{reference}/invoice-lines",
        {
            **line,
            "equipment": "civil",
            "quantity": 1,
            "cost_name": "安装",
            "used_amount": "4000.00",
        },
    )
    assert fixed.status_code == 201
    response = api.post(f"/applications/{reference}/submit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert [line["used_amount"] for line in body["invoice_lines"]] == ["6000.00", "4000.00"]
    [review] = body["reviews"]
    assert review["due_date"] is not None or review["calendar_missing_year"] is not None


def test_operator_registration_technicians(operator):
    applicant, api = operator
    created = api.post(
        "/applications",
        {
            "kind": "operator_registration",
            "detail": {
                "company_name": applicant.name,
                "registered_capital": "1200",
                "registered_on": "2020-01-02",
                "total_assets": "5000.5",
                "legal_representative": "王五",
                "postcode": "464000",
                "phone": "0376-1234567",
                "email": "ops@example.com",
                "registered_address": "信阳市浉河区",
                "mailing_address": "信阳市浉河区",
                "industry": "充电服务",
                "registration_type": "llc",
                "service_scope": "充电设施运营",
                "platform_name": "豫充平台",
                "software_copyright_number": "2024SR0123456",
            },
        },
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    tech = api.post(
        f"/applications/{reference}/technicians",
        {"name": "赵六", "phone": "13700001111", "certificate_number": "DG-0001"},
    )
    assert tech.status_code == 201, tech.content
    tech_id = tech.json()["id"]
    duplicate = api.post(
        f"/applications/{reference}/technicians",
        {"name": "钱七", "certificate_number": "DG-0001"},
    )
    assert duplicate.status_code == 422
    assert "DG-0001" in json.dumps(duplicate.json(), ensure_ascii=False)

    wrong_material = api.upload(reference, "commitment-letter", file_for("pdf"), technician=tech_id)
    assert wrong_material.status_code == 422
    cert = api.upload(reference, "electrician-licence", file_for("png"), technician=tech_id)
    assert cert.status_code == 201, cert.content
    assert cert.json()["technician"] == tech_id
    body = api.get(f"/applications/{reference}").json()
    assert body["technicians"][0]["certificate"] == cert.json()["id"]
    assert any("8 名" in p for p in body["submission_problems"])

    again = api.upload(reference, "electrician-licence", file_for("png"), technician=tech_id)
    assert again.status_code == 422
    assert "已上传许可证" in again.json()["detail"]

    assert api.delete(f"/applications/{reference}/technicians/{tech_id}").status_code == 204
    assert Attachment.objects.count() == 0
    assert api.delete(f"/applications/{reference}/technicians/{tech_id}").status_code == 404


VALID_LINE = {
    "equipment": "ac_pile",
    "quantity": 1,
    "power_kw": "7.0",
    "cost_name": "交流桩",
    "invoice_number": "87654321",
    "invoice_amount": "100.00",
    "used_amount": "100.00",
    "issued_on": "2026-01-05",
    "buyer_name": "某公司",
}


# --- scoping --------------------------------------------------------------------------


def test_another_applicant_gets_404_on_every_route(operator, other_operator):
    _, api = operator
    _, intruder = other_operator
    reference = api.post(
        "/applications", {"kind": "station_dossier", "detail": dossier_detail()}
    ).json()["reference"]
    attachment = api.upload(reference, "product-certificate", file_for("pdf")).json()
    base = f"/applications/{reference}"
    att = f"{base}/attachments/{attachment['id']}"

    answers = [
        intruder.get(base),
        intruder.get(f"{base}/notices"),
        intruder.get(f"{att}/download"),
        intruder.put(f"{base}/detail", dossier_detail()),
        intruder.upload(reference, "final-accounts-report", file_for("pdf")),
        intruder.delete(att),
        intruder.post(f"{base}/submit"),
        intruder.post(f"{base}/withdraw"),
        intruder.post(f"{base}/technicians", {"name": "x", "certificate_number": "1"}),
        intruder.delete(f"{base}/technicians/1"),
        intruder.post(f"{base}/invoice-lines", VALID_LINE),
        intruder.delete(f"{base}/invoice-lines/1"),
        intruder.delete(base),
    ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert response.json() == {"detail": "申请不存在"}
    assert intruder.get("/applications").json()["count"] == 0
    assert Application.objects.get(reference=reference).state == "draft"
    assert Attachment.objects.count() == 1

    # The owner's own id on a route of the wrong application is also a 404.
    other = api.post("/applications", {"kind": "station_dossier"}).json()["reference"]
    response = api.get(f"/applications/{other}/attachments/{attachment['id']}/download")
    assert response.status_code == 404


# --- secrets --------------------------------------------------------------------------


def interconnection_detail(**overrides):
    return {
        "platform_operator": "河南测试充电科技有限公司1",
        "builder": "某某软件公司",
        "builder_address": "郑州市金水区",
        "liaison": "孙八",
        "engineer": "周九",
        "engineer_phone": "13600002222",
        "platform_name": "豫充互联平台",
        **SECRETS,
        "scope": "service",
        "station_count": 0,
        "pile_count": 0,
        **overrides,
    }


def test_interconnection_secrets_are_never_returned_in_plaintext(operator):
    from cms.crypto import mask

    _, api = operator
    bodies = []
    created = api.post(
        "/applications", {"kind": "interconnection", "detail": interconnection_detail()}
    )
    assert created.status_code == 201, created.content
    bodies.append(created.content.decode())
    reference = created.json()["reference"]
    detail = created.json()["detail"]
    for name, plain in SECRETS.items():
        assert detail[name] == mask(plain)

    # Reading it back and sending it unchanged keeps the stored secrets.
    read = api.get(f"/applications/{reference}")
    bodies.append(read.content.decode())
    echoed = {k: v for k, v in read.json()["detail"].items()}
    put = api.put(f"/applications/{reference}/detail", echoed)
    assert put.status_code == 200, put.content
    bodies.append(put.content.decode())
    # Leaving a secret out also keeps it.
    partial = interconnection_detail()
    for name in SECRETS:
        partial.pop(name)
    put = api.put(f"/applications/{reference}/detail", partial)
    assert put.status_code == 200, put.content
    bodies.append(put.content.decode())
    stored = Interconnection.objects.get(application__reference=reference)
    for name, plain in SECRETS.items():
        assert getattr(stored, name).plaintext == plain

    # An invalid update does not echo the secrets either.
    invalid = api.put(
        f"/applications/{reference}/detail", interconnection_detail(engineer_phone="1")
    )
    assert invalid.status_code == 422
    bodies.append(invalid.content.decode())

    bodies.append(api.get("/applications").content.decode())
    submitted = api.post(f"/applications/{reference}/submit")
    assert submitted.status_code == 200, submitted.content
    bodies.append(submitted.content.decode())

    for body in bodies:
        for plain in SECRETS.values():
            assert plain not in body
    for plain in SECRETS.values():
        assert mask(plain) in bodies[1]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_key, signing_key, message_key, message_iv "
            "FROM applications_interconnection WHERE id = %s",
            [stored.pk],
        )
        row = cursor.fetchone()
    for column, plain in zip(row, SECRETS.values(), strict=True):
        assert plain not in column
        assert column.startswith("gAAAA")  # a Fernet token


# --- documentation --------------------------------------------------------------------


def test_openapi_documents_every_route():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "河南省充电基础设施服务门户 接口"
    paths = schema["paths"]
    expected = {
        ("get", "/api/v1/catalogue/items"),
        ("get", "/api/v1/applications"),
        ("post", "/api/v1/applications"),
        ("get", "/api/v1/applications/{reference}"),
        ("delete", "/api/v1/applications/{reference}"),
        ("put", "/api/v1/applications/{reference}/detail"),
        ("post", "/api/v1/applications/{reference}/submit"),
        ("post", "/api/v1/applications/{reference}/withdraw"),
        ("get", "/api/v1/applications/{reference}/notices"),
        ("post", "/api/v1/applications/{reference}/technicians"),
        ("delete", "/api/v1/applications/{reference}/technicians/{technician_id}"),
        ("post", "/api/v1/applications/{reference}/invoice-lines"),
        ("delete", "/api/v1/applications/{reference}/invoice-lines/{line_id}"),
        ("post", "/api/v1/applications/{reference}/attachments"),
        ("delete", "/api/v1/applications/{reference}/attachments/{attachment_id}"),
        ("get", "/api/v1/applications/{reference}/attachments/{attachment_id}/download"),
    }
    documented = {(method, path) for path, ops in paths.items() for method in ops}
    assert expected <= documented
    for method, path in expected:
        operation = paths[path][method]
        assert operation["summary"] and operation["description"]
        assert "401" in operation["responses"]
    assert "422" in paths["/api/v1/applications/{reference}/submit"]["post"]["responses"]
    assert "409" in paths["/api/v1/applications/{reference}/detail"]["put"]["responses"]
    assert (
        "multipart/form-data"
        in (paths["/api/v1/applications/{reference}/attachments"]["post"]["requestBody"]["content"])
    )
    assert schema["components"]["securitySchemes"]["ApplicantTokenAuth"]["scheme"] == "bearer"
    assert Client().get(f"{API}/docs").status_code == 200


def test_decimal_amounts_are_strings_in_json(operator):
    applicant, api = operator
    station, _ = submitted_dossier(api, applicant)
    reference = api.post(
        "/applications",
        {"kind": "construction_subsidy", "detail": {"station": station.pk, "subsidy_year": 2026}},
    ).json()["reference"]
    response = api.post(
        f"/applications/{reference}/invoice-lines",
        {
            "equipment": "ac_pile",
            "quantity": 1,
            "power_kw": "7.0",
            "cost_name": "交流桩",
            "invoice_number": "87654321",
            "invoice_amount": "0.10",
            "used_amount": "0.10",
            "issued_on": "2026-01-05",
            "buyer_name": applicant.name,
        },
    )
    assert response.status_code == 201
    assert response.json()["used_amount"] == "0.10"
    assert Decimal(response.json()["invoice_amount"]) == Decimal("0.10")


def test_supplement_notice_and_resubmission(operator):
    from applications import workflow
    from catalogue.models import Department

    applicant, api = operator
    _, reference = submitted_dossier(api, applicant)
    reviewer = get_user_model().objects.create_user(username="reviewer", password="x")
    Department.objects.get(code="platform").members.add(reviewer)
    application = Application.objects.get(reference=reference)
    workflow.start_review(application, user=reviewer)
    report = application.attachments.get(requirement__code="final-accounts-report")
    workflow.judge_material(report, user=reviewer, accepted=False, note="缺少审计单位盖章")
    workflow.request_supplement(application, user=reviewer, extra=["请补充消防验收意见"])

    [notice] = api.get(f"/applications/{reference}/notices").json()
    problems = [item["problem"] for item in notice["items"]]
    assert any("缺少审计单位盖章" in p for p in problems)
    assert "请补充消防验收意见" in problems
    assert notice["resolved"] is False
    body = api.get(f"/applications/{reference}").json()
    assert body["state"] == "needs_supplement" and body["editable"] is True
    assert body["reviews"][0]["status"] == "needs_supplement"
    rejected = next(a for a in body["attachments"] if a["id"] == report.pk)
    assert rejected["verdict"] == "rejected"
    assert rejected["verdict_note"] == "缺少审计单位盖章"

    # Still rejected: resubmitting now lists the problem.
    assert api.post(f"/applications/{reference}/submit").status_code == 422
    assert api.delete(f"/applications/{reference}/attachments/{report.pk}").status_code == 204
    assert api.upload(reference, "final-accounts-report", file_for("pdf")).status_code == 201
    resubmitted = api.post(f"/applications/{reference}/submit")
    assert resubmitted.status_code == 200, resubmitted.content
    assert resubmitted.json()["state"] == "resubmitted"
    assert resubmitted.json()["notices"][0]["resolved"] is True
    # The applicant's history has no audit-only reads.
    workflow.record_view(application, reviewer, "viewed")
    actions = [e["action"] for e in api.get(f"/applications/{reference}").json()["events"]]
    assert "viewed" not in actions
    assert "supplement_requested" in actions
