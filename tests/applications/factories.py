"""Plain factory functions for applicants, reviewers, stations, files and applications.

Everything goes through the real core code (accounts.services, applications.workflow,
applications.materials) so a factory never builds a state the portal could not reach.
Files are generated with Pillow: every call with a different ``seed`` gives different
bytes (so duplicate detection only fires when a test means it to).

Other test modules import these directly:

    from tests.applications.factories import make_applicant, png_upload
"""

import datetime
import io
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from stdnum.cn import ric, uscc

from accounts.models import Applicant
from catalogue.models import ApplicantType, ApplicationKind, Department, MaterialRequirement
from regions.models import Region

PASSWORD = "Portal-test-2026"
XINYANG_COUNTY = "411502"  # 信阳市浉河区
_counter = itertools.count(1)

# The joint items used most in tests: 低压非居民新装 (供电, 即办件) + 占用、挖掘城市道路审批
# (城管, 1个工作日) + 影响交通安全占道施工审核 (公安, 即办件).
POWER_ITEM = "xy-low-voltage-non-resident"
RESIDENT_POWER_ITEM = "xy-low-voltage-resident"
ROAD_ITEM = "xy-road-occupation-excavation"
TRAFFIC_ITEM = "xy-traffic-safety-road-works"
GREEN_ITEM = "xy-green-space-trees"


def unique(prefix: str = "u") -> str:
    return f"{prefix}{next(_counter):05d}"


def ensure_reference_data() -> None:
    """Regions, the catalogue and the 2024–2026 calendar come from data migrations; a
    transactional test elsewhere in the run flushes them. Put them back if missing (the
    loaders are idempotent upserts)."""
    import importlib

    from django.apps import apps

    from catalogue.loading import load_catalogue
    from catalogue.models import ServiceItem
    from regions.loading import load_regions
    from workdays.models import CalendarYear

    if not Region.objects.filter(code=XINYANG_COUNTY).exists():
        load_regions(Region)
    if not ServiceItem.objects.filter(code=ROAD_ITEM).exists():
        load_catalogue()
    if not CalendarYear.objects.filter(year=2026).exists():
        importlib.import_module("workdays.migrations.0002_seed_calendar").seed(apps, None)


# --------------------------------------------------------------------------- codes


def credit_code(serial: int | None = None, region: str = XINYANG_COUNTY) -> str:
    """A valid 统一社会信用代码 (GB 32100): 9 = 工商, 1 = 企业, region, serial, check."""
    serial = next(_counter) if serial is None else serial
    body = f"91{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def id_number(serial: int | None = None) -> str:
    """A valid 18-digit resident ID number (郑州市中原区, born 1990-03-07)."""
    serial = (next(_counter) if serial is None else serial) % 1000
    body = f"41010219900307{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def county(code: str = XINYANG_COUNTY) -> Region:
    return Region.objects.get(code=code)


# --------------------------------------------------------------------------- people


def make_user(username: str | None = None, password: str = PASSWORD, **extra):
    return get_user_model().objects.create_user(
        username=username or unique("user"), password=password, **extra
    )


def make_applicant(
    kind: str = ApplicantType.OPERATOR,
    *,
    status: str = Applicant.Status.ACTIVE,
    name: str | None = None,
    username: str | None = None,
    region: Region | None = None,
) -> Applicant:
    """An applicant with its user; enterprises get a valid credit code, residents an ID."""
    user = make_user(username)
    resident = kind == ApplicantType.RESIDENT
    applicant = Applicant(
        user=user,
        kind=kind,
        name=name or (f"居民{unique('')}" if resident else f"信阳测试充电科技有限公司{unique('')}"),
        credit_code="" if resident else credit_code(),
        id_number=id_number() if resident else "",
        contact_name="张伟",
        mobile="13812345678",
        region=region or county(),
        status=status,
        reviewed_at=timezone.now() if status == Applicant.Status.ACTIVE else None,
    )
    applicant.full_clean(exclude=["user"])
    applicant.save()
    return applicant


def make_reviewer(*department_codes: str, username: str | None = None):
    """A staff user who reviews for the given departments (Department.code)."""
    user = make_user(username or unique("reviewer"))
    for code in department_codes:
        Department.objects.get(code=code).members.add(user)
    return user


def make_station(owner: Applicant, name: str | None = None, *, pile_count: int = 4, **extra):
    from interconnect.models import Station

    return Station.objects.create(
        owner=owner,
        station_id=extra.pop("station_id", unique("S")[-20:]),
        name=name or f"信阳市浉河区测试充电站{unique('')}",
        address="信阳市浉河区新华路 1 号",
        region=owner.region,
        pile_count=pile_count,
        **extra,
    )


def make_subsidy_ready(station, *, piles=("120", "120")):
    """What a 建设补贴 needs besides the dossier: the example subsidy rules, an operator's
    approved interconnection, the pushed DC piles, status data and a recent order (so its
    data health is 数据正常)."""
    from interconnect import credentials
    from interconnect.models import Equipment, EquipmentType
    from subsidies import demo

    year = timezone.localdate().year
    demo.load(years=(year - 1, year, year + 1))
    if station.owner.kind == ApplicantType.OPERATOR:
        credentials.activate(
            station.owner,
            source="TEST",
            operator_secret="OpSecret12345678",
            sig_secret="SigSecret1234567",
            data_secret="DataSecret123456",
            data_secret_iv="DataSecretIV1234",
        )
    for power in piles:
        Equipment.objects.create(
            station=station,
            equipment_id=unique("E"),
            equipment_type=EquipmentType.DC,
            power_kw=Decimal(power),
        )
    station.status_pushed_at = timezone.now()
    station.save(update_fields=["status_pushed_at"])
    make_order(station, timezone.now() - datetime.timedelta(days=1))
    return station


def make_order(station, started_at: datetime.datetime, *, energy="12.500", amount="18.75"):
    from interconnect.models import ChargeOrder

    return ChargeOrder.objects.create(
        station=station,
        start_charge_seq=unique("ORD"),
        started_at=started_at,
        ended_at=started_at + datetime.timedelta(hours=1),
        energy_kwh=Decimal(energy),
        amount=Decimal(amount),
    )


# --------------------------------------------------------------------------- files


def _colour(seed: int) -> tuple[int, int, int]:
    return (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)


def _image(seed: int, size) -> Image.Image:
    img = Image.new("RGB", size, _colour(seed))
    # A second colour block keyed on the seed, so images differ in more than one pixel.
    img.paste(_colour(seed + 101), (0, 0, max(1, size[0] // 3), max(1, size[1] // 3)))
    return img


def png_bytes(seed: int | None = None, size=(240, 160)) -> bytes:
    buf = io.BytesIO()
    _image(next(_counter) if seed is None else seed, size).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(seed: int | None = None, size=(240, 160)) -> bytes:
    buf = io.BytesIO()
    _image(next(_counter) if seed is None else seed, size).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def pdf_bytes(seed: int | None = None, pages: int = 1, size=(300, 420)) -> bytes:
    """A real PDF (one page per image) written by Pillow."""
    seed = next(_counter) if seed is None else seed
    images = [_image(seed + n, size) for n in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return buf.getvalue()


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_upload(name: str = "扫描件.png", seed: int | None = None):
    return upload(png_bytes(seed), name, "image/png")


def jpeg_upload(name: str = "照片.jpg", seed: int | None = None):
    return upload(jpeg_bytes(seed), name, "image/jpeg")


def pdf_upload(name: str = "材料.pdf", seed: int | None = None, pages: int = 1):
    return upload(pdf_bytes(seed, pages), name, "application/pdf")


def upload_for(requirement: MaterialRequirement, name: str | None = None):
    """A generated file in a format the requirement accepts (PDF first, then PNG, JPEG)."""
    formats = requirement.format_list
    if "pdf" in formats:
        return pdf_upload(name or f"{requirement.name}.pdf")
    if "png" in formats:
        return png_upload(name or f"{requirement.name}.png")
    return jpeg_upload(name or f"{requirement.name}.jpg")


# --------------------------------------------------------------------------- applications


def next_working_day(after: datetime.date | None = None) -> datetime.date:
    """The first working day strictly after ``after`` (default: today, which the tests that
    call it pin with the ``clock`` marker inside the covered calendar)."""
    from workdays.calendar import add_working_days

    return add_working_days(after or timezone.localdate(), 1)


def make_application(applicant, kind, *, item_codes=None, user=None, title=""):
    from applications.workflow import create_application

    return create_application(
        applicant, kind, user=user or applicant.user, item_codes=item_codes, title=title
    )


def attach(application, code, upload_file=None, *, user=None, name=None):
    """Store one file for the material ``code`` of the application."""
    from applications.materials import add_attachment, requirement_for

    requirement = requirement_for(application, code)
    upload_file = upload_file or upload_for(requirement)
    return add_attachment(
        application,
        requirement,
        upload_file,
        user=user or application.applicant.user,
        name=name or upload_file.name,
    )


def attach_due_materials(application, *, user=None) -> list:
    """Upload every material that must be present at submission, as many as required."""
    from applications.materials import checklist

    stored = []
    for row in checklist(application):
        requirement = row.requirement
        if not requirement.due_at_submission:
            continue
        for _ in range(max(0, requirement.min_count - row.valid_count)):
            stored.append(attach(application, requirement.code, upload_for(requirement), user=user))
    return stored


def joint_detail(application, **overrides):
    """A complete 联办申请表 for the chosen items (road and green fields filled in)."""
    from applications.models import JointInstallation

    resident = application.items.filter(code=RESIDENT_POWER_ITEM).exists()
    values = {
        "applicant_name": application.applicant.name,
        "tenure": JointInstallation.Tenure.OWNED,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "address": "信阳市浉河区新华路 1 号",
        "business": JointInstallation.Business.NEW_BUILD,
        "survey_date": next_working_day(),
        "survey_half_day": JointInstallation.HalfDay.AM,
        "power_use": (
            JointInstallation.PowerUse.RESIDENTIAL
            if resident
            else JointInstallation.PowerUse.COMMERCIAL
        ),
        "capacity_kva": Decimal("160.0"),
        "road_type": JointInstallation.RoadType.ARTERIAL,
        "road_name": "新华路",
        "road_address": "信阳市浉河区新华路",
        "occupation_reason": "敷设充电桩电缆",
        "occupation_start": datetime.date(2027, 3, 1),
        "occupation_end": datetime.date(2027, 3, 10),
        "green_address": "新华路绿化带",
        "green_nature": "公共绿地",
        "green_length_m": Decimal("5.00"),
        "green_width_m": Decimal("1.20"),
        "delivery": JointInstallation.Delivery.SYSTEM,
    }
    values.update(overrides)
    return JointInstallation.objects.create(application=application, **values)


def ready_joint_application(applicant, item_codes=(POWER_ITEM, ROAD_ITEM), **detail):
    """A joint draft that passes every rule: items chosen, form filled, files uploaded."""
    application = make_application(
        applicant, ApplicationKind.JOINT_INSTALLATION, item_codes=list(item_codes)
    )
    joint_detail(application, **detail)
    attach_due_materials(application)
    return application


def submit(application, user=None):
    from applications.workflow import submit as workflow_submit

    return workflow_submit(application, user=user or application.applicant.user)


def make_dossier(applicant, station, *, submit_it=True, station_name=None):
    """建站资料 for ``station`` with every material; submitted (and so bound) by default."""
    from applications.models import StationDossier

    application = make_application(applicant, ApplicationKind.STATION_DOSSIER)
    StationDossier.objects.create(
        application=application,
        station_name=station_name or station.name,
        started_on=datetime.date(2026, 3, 1),
        completed_on=datetime.date(2026, 6, 30),
        manager="李强",
        manager_phone="13912345678",
        filed_name=station.name,
        filed_address=station.address,
    )
    attach_due_materials(application)
    if submit_it:
        application = submit(application)
    return application


def make_operator_registration(applicant, *, capital="1200.00", **overrides):
    from applications.models import OperatorRegistration

    application = make_application(applicant, ApplicationKind.OPERATOR_REGISTRATION)
    values = {
        "company_name": applicant.name,
        "registered_capital": Decimal(capital),
        "registered_on": datetime.date(2020, 5, 1),
        "total_assets": Decimal("5000.00"),
        "legal_representative": "王芳",
        "postcode": "464000",
        "phone": "0376-6201234",
        "email": "ops@example.com",
        "registered_address": "信阳市浉河区新华路 1 号",
        "mailing_address": "信阳市浉河区新华路 1 号",
        "industry": "电力、热力生产和供应业",
        "registration_type": OperatorRegistration.RegistrationType.LLC,
        "service_scope": "电动汽车充电服务",
        "platform_name": "豫充通",
        "software_copyright_number": "2024SR0123456",
    }
    values.update(overrides)
    OperatorRegistration.objects.create(application=application, **values)
    return application


def add_technicians(application, count: int, *, with_certificate: bool = True, start: int = 1):
    from applications.lines import add_technician

    added = []
    for n in range(start, start + count):
        technician, form = add_technician(
            application,
            {"name": f"技术员{n}", "phone": "13700000000", "certificate_number": f"DG{n:06d}"},
            png_upload(f"电工证{n}.png") if with_certificate else None,
            user=application.applicant.user,
        )
        assert technician is not None, form.errors
        added.append(technician)
    return added


def invoice_line_data(**overrides) -> dict:
    """Form data for one InvoiceLineForm row (strings, as a browser would send)."""
    data = {
        "equipment": "dc_pile",
        "quantity": "2",
        "power_kw": "120.0",
        "cost_name": "直流充电桩购置",
        "invoice_number": "12345678",
        "invoice_code": "4100231130",
        "invoice_amount": "100000.00",
        "used_amount": "100000.00",
        "issued_on": "2026-05-20",
        "buyer_name": "",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def connect_meter(application, power_user):
    """装表接电 through every step (issue 15), so an approved joint case with a 用电报装
    item is 办结. The applicant signs; `power_user` is a 供电 reviewer."""
    from applications.models import Application
    from connection import steps

    application = Application.objects.get(pk=application.pk)
    steps.confirm_survey(application, user=power_user)
    if steps.connection_for(application).residential:
        from catalogue.models import Department

        housing = Department.objects.get(code="housing").members.first() or make_reviewer("housing")
        steps.confirm_property(application, user=housing, facts="产权清晰，固定车位自有")
    steps.record_survey(application, user=power_user)
    steps.offer_plan(application, user=power_user, text="低压接入", capacity_kva="7")
    steps.sign_plan(application, user=application.applicant.user)
    today = timezone.localdate()
    steps.start_construction(application, user=power_user, started_on=today)
    steps.connect(application, user=power_user, connected_on=today)
    return Application.objects.get(pk=application.pk)
