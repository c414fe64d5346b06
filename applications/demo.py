"""Demo reviewers, applicants, stations, orders and applications for `make run`.

`load(stdout)` is called at the end of `manage.py load_demo` and may run any number of
times: everything is looked up before it is created, and the printed passwords always
work (they are kept in VAR_DIR/demo-reviewers.txt and VAR_DIR/demo-applicants.txt,
readable by the owner only, and reset when they no longer match).

Everything goes through the real services (accounts.services.register, the workflow,
materials.add_attachment), so the demo shows states the portal can actually reach:
two approved enterprise accounts, one still waiting for review, a submitted 建站资料,
a joint 充电桩报装一件事 application fanned out to 供电, 城管 and 公安, and two 建设补贴
applications whose drawn licences, invoices (old-style and 数电票) and certificate give
the archive something to recognise, cross-check and flag (see ``demo_material``).
"""

import datetime
import io
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts import services
from accounts.models import Applicant
from catalogue.loading import load_catalogue
from catalogue.models import ApplicantType, ApplicationKind, Department, ServiceItem
from cms import credit_code as uscc
from interconnect import credentials
from interconnect import simulate as interconnect_simulate
from interconnect.models import ChargeOrder, Platform, Station
from regions.loading import load_regions
from regions.models import Region
from workdays.calendar import CalendarNotCovered, add_working_days

from . import demo_material, rules, workflow
from .materials import add_attachment, checklist
from .models import Application, Interconnection, JointInstallation, StationDossier

REVIEWERS_FILE = "demo-reviewers.txt"
APPLICANTS_FILE = "demo-applicants.txt"
REVIEWER_GROUP = "审核人员"

# username, department code, display name
REVIEWERS = [
    ("reviewer-power", "power", "供电审核员"),
    ("reviewer-urban", "urban", "城管审核员"),
    ("reviewer-police", "police", "公安审核员"),
    ("reviewer-housing", "housing", "住建审核员"),
    ("reviewer-platform", "platform", "省平台审核员"),
]


def credit_code(region_code: str, serial: int) -> str:
    """A valid 统一社会信用代码: 9 (工商) 1 (企业), region, 9-digit serial, check char."""
    return uscc.make(f"91{region_code}{serial:09d}")


# username, kind, name, county, credit serial, contact, mobile, approve the account?
APPLICANTS = [
    (
        "demo-operator",
        ApplicantType.OPERATOR,
        "河南示例充电科技有限公司",
        "411502",
        317260001,
        "王晓明",
        "13837600001",
        True,
    ),
    (
        "demo-builder",
        ApplicantType.BUILDER,
        "信阳示例建设工程有限公司",
        "411503",
        317260002,
        "李建国",
        "13837600002",
        True,
    ),
    (
        "demo-pending",
        ApplicantType.OPERATOR,
        "信阳示例新能源有限公司",
        "411502",
        317260003,
        "赵敏",
        "13837600003",
        False,  # left for the 省平台 reviewer: the 账号注册 application in 审核工作台
    ),
]

# owner username → [(station name, piles, address)]
STATIONS = {
    "demo-operator": [
        ("信阳市浉河区羊山充电站", 12, "信阳市浉河区羊山新区新七大道 88 号"),
        ("信阳市浉河区湖东充电站", 8, "信阳市浉河区湖东路 16 号"),
    ],
}


# --- Credentials ------------------------------------------------------------------


class Credentials:
    """username → password in a 0600 text file, one 'username password' per line."""

    def __init__(self, filename: str):
        self.path = settings.VAR_DIR / filename
        self.passwords = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2:
                    self.passwords[parts[0]] = parts[1]

    def ensure(self, user) -> str:
        """The stored password, (re)set on the user when it does not match."""
        password = self.passwords.get(user.username)
        if password is None or not user.check_password(password):
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            self.passwords[user.username] = password
        return password

    def save(self) -> None:
        text = "".join(f"{name} {pw}\n" for name, pw in sorted(self.passwords.items()))
        self.path.write_text(text, encoding="utf-8")
        self.path.chmod(0o600)


# --- Generated files --------------------------------------------------------------


def _picture(label: str, seed: int, size=(800, 560)) -> Image.Image:
    colour = (seed * 53 % 200 + 30, seed * 97 % 200 + 30, seed * 29 % 200 + 30)
    img = Image.new("RGB", size, (250, 250, 247))
    draw = ImageDraw.Draw(img)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=colour, width=8)
    draw.rectangle([60, 60, size[0] // 2, size[1] // 3], fill=colour)
    for n in range(6):
        y = size[1] // 2 + n * 30
        draw.line([60, y, size[0] - 60 - (seed * 13 + n * 40) % 200, y], fill=(90, 90, 90), width=4)
    draw.text((60, size[1] - 70), f"DEMO {label} #{seed}", fill=(20, 20, 20))
    return img


def png_file(name: str, label: str, seed: int) -> SimpleUploadedFile:
    buf = io.BytesIO()
    _picture(label, seed).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def jpg_file(name: str, label: str, seed: int) -> SimpleUploadedFile:
    buf = io.BytesIO()
    _picture(label, seed).save(buf, "JPEG", quality=88)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def pdf_file(name: str, label: str, seed: int, pages: int = 2) -> SimpleUploadedFile:
    images = [_picture(f"{label} p{n + 1}", seed + n, size=(595, 842)) for n in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/pdf")


def file_for(requirement, seed: int) -> SimpleUploadedFile:
    """A generated file in the first format the requirement accepts."""
    formats = requirement.format_list
    if "pdf" in formats:
        return pdf_file(f"{requirement.name}.pdf", requirement.code, seed)
    if "jpg" in formats:
        return jpg_file(f"{requirement.name}.jpg", requirement.code, seed)
    return png_file(f"{requirement.name}.png", requirement.code, seed)


def attach_due_materials(application, user, seed: int) -> None:
    for row in checklist(application):
        requirement = row.requirement
        if not requirement.due_at_submission:
            continue
        for n in range(max(0, requirement.min_count - row.valid_count)):
            upload = demo_material.realistic_file(requirement, application) or file_for(
                requirement, seed + requirement.pk * 10 + n
            )
            add_attachment(application, requirement, upload, user=user, name=upload.name)


# --- Pieces -----------------------------------------------------------------------


def _reference_data() -> None:
    """Catalogue and regions come from data migrations; put them back if a flushed test
    database lost them (both loaders are idempotent)."""
    if not Region.objects.filter(code="411502").exists():
        load_regions(Region)
    if not ServiceItem.objects.filter(kind=ApplicationKind.ACCOUNT).exists():
        load_catalogue()


def _groups(departments):
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    everyone, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    everyone.permissions.add(access_admin)
    per_department = {}
    for department in departments.values():
        group, _ = Group.objects.get_or_create(name=f"{department.name}审核组")
        group.permissions.add(access_admin)
        per_department[department.code] = group
    return everyone, per_department


def _reviewers(credentials):
    departments = {d.code: d for d in Department.objects.all()}
    everyone, per_department = _groups(departments)
    users, lines = {}, []
    user_model = get_user_model()
    for username, code, display in REVIEWERS:
        department = departments.get(code)
        if department is None:
            continue
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=display)
        password = credentials.ensure(user)
        user.groups.add(everyone, per_department[code])
        department.members.add(user)
        users[code] = user
        lines.append(f"{department.name}：{username}  密码：{password}")
    return users, lines


def _applicants(credentials, reviewers):
    user_model = get_user_model()
    applicants, lines = {}, []
    for username, kind, name, county, serial, contact, mobile, approve in APPLICANTS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = credentials.passwords.get(username) or secrets.token_urlsafe(12)
            registration = services.register(
                username=username,
                password=password,
                kind=kind,
                name=name,
                contact_name=contact,
                mobile=mobile,
                region=Region.objects.get(code=county),
                credit_code=credit_code(county, serial),
                email=f"{username}@example.com",
                licence=demo_material.licence_upload(
                    name=name, credit_code=credit_code(county, serial), representative=contact
                ),
                licence_name="营业执照.png",
            )
            credentials.passwords[username] = password
            applicant = registration.applicant
            if approve and "platform" in reviewers:
                _approve_account(registration.application, reviewers["platform"])
                applicant.refresh_from_db()
            user = registration.user
        else:
            applicant = Applicant.objects.get(user=user)
        password = credentials.ensure(user)
        applicants[username] = applicant
        lines.append(
            f"{applicant.name}（{applicant.get_status_display()}）：{username}  密码：{password}"
        )
    return applicants, lines


def _approve_account(application, reviewer) -> None:
    workflow.start_review(application, user=reviewer)
    for attachment in application.attachments.all():
        workflow.judge_material(attachment, user=reviewer, accepted=True)
    workflow.decide(
        application, user=reviewer, approve=True, opinion="营业执照与填报信息一致，准予注册。"
    )


@transaction.atomic
def approve_interconnection_demo(applicant):
    """File a 互联互通接入 with random secrets and approve it through the workflow."""
    if not applicant.is_active or not applicant.is_operator:
        raise ValueError("只能为已启用的运营商账号生成演示接入。")
    user = applicant.user
    application = workflow.create_application(applicant, ApplicationKind.INTERCONNECTION, user=user)
    stations, piles = rules.registered_station_counts(applicant)
    Interconnection.objects.create(
        application=application,
        platform_operator=applicant.name,
        builder=applicant.name,
        builder_address="演示地址",
        liaison=applicant.contact_name,
        engineer=applicant.contact_name,
        engineer_phone=applicant.mobile,
        platform_name=f"{applicant.name}运营平台",
        access_key=credentials.random_secret(),
        signing_key=credentials.random_secret(),
        message_key=credentials.random_secret(),
        message_iv=credentials.random_secret(),
        scope=Interconnection.Scope.SERVICE,
        station_count=stations,
        pile_count=piles,
    )
    attach_due_materials(application, user, seed=application.pk)
    try:
        workflow.submit(application, user=user)
        for item in application.items.select_related("department"):
            reviewer = item.department.members.first()
            if reviewer is None:
                raise ValueError(f"“{item.department}”没有审核员，无法审核通过。")
            workflow.start_review(application, user=reviewer, department=item.department)
            for attachment in application.attachments.all():
                workflow.judge_material(attachment, user=reviewer, accepted=True)
            workflow.decide(
                application,
                user=reviewer,
                approve=True,
                opinion="演示接入",
                department=item.department,
            )
    except workflow.WorkflowError as exc:
        raise ValueError(exc.message) from exc
    return application


def _pushed_stations(applicants):
    """The demo operator's platform pushes its stations, statuses and orders through the
    real T/CEC 102 interface (in-process), with the secrets of its approved 互联互通接入."""
    operator = applicants.get("demo-operator")
    if operator is None or not operator.is_active:
        return {}, 0
    platform = Platform.objects.filter(applicant=operator, active=True).first()
    if platform is None:
        approve_interconnection_demo(operator)
        platform = Platform.objects.get(applicant=operator)
    before = ChargeOrder.objects.filter(station__owner=operator).count()
    names = [name for name, _piles, _address in STATIONS["demo-operator"]]
    _, _, failures = interconnect_simulate.run(
        platform, stations=len(names), orders=12, names=names
    )
    if failures:
        raise RuntimeError("；".join(failures))
    stations = {s.name: s for s in Station.objects.filter(owner=operator)}
    return stations, ChargeOrder.objects.filter(station__owner=operator).count() - before


def _station_dossier(operator, station):
    existing = Application.objects.filter(
        applicant=operator, kind=ApplicationKind.STATION_DOSSIER
    ).first()
    if existing is not None:
        return existing
    user = operator.user
    application = workflow.create_application(
        operator, ApplicationKind.STATION_DOSSIER, user=user, title=station.name
    )
    today = timezone.localdate()
    StationDossier.objects.create(
        application=application,
        station_name=station.name,
        started_on=today - datetime.timedelta(days=200),
        completed_on=today - datetime.timedelta(days=45),
        manager="王晓明",
        manager_phone="13837600001",
        filed_name=station.name,
        filed_address=station.address,
    )
    attach_due_materials(application, user, seed=100)
    return workflow.submit(application, user=user)


def _joint_application(builder, reviewers):
    existing = Application.objects.filter(
        applicant=builder, kind=ApplicationKind.JOINT_INSTALLATION
    ).first()
    if existing is not None:
        return existing, ""
    today = timezone.localdate()
    try:
        survey = add_working_days(today, 2)
    except CalendarNotCovered as exc:
        return None, f"（未创建联办演示申请：{exc}）"
    user = builder.user
    application = workflow.create_application(
        builder,
        ApplicationKind.JOINT_INSTALLATION,
        user=user,
        item_codes=[
            "xy-low-voltage-non-resident",
            "xy-road-occupation-excavation",
            "xy-traffic-safety-road-works",
        ],
        title="平桥区示例产业园充电桩报装",
    )
    JointInstallation.objects.create(
        application=application,
        applicant_name=builder.name,
        tenure=JointInstallation.Tenure.OWNED,
        contact_name="李建国",
        contact_phone="13837600002",
        address="信阳市平桥区工业城 9 号",
        business=JointInstallation.Business.NEW_BUILD,
        survey_date=survey,
        survey_half_day=JointInstallation.HalfDay.AM,
        power_use=JointInstallation.PowerUse.COMMERCIAL,
        capacity_kva=Decimal("250.0"),
        construction_address="信阳市平桥区工业城 9 号",
        construction_company="信阳示例建设工程有限公司",
        construction_contact="李建国 13837600002",
        works_description="自配电室至充电区敷设低压电缆约 120 米。",
        occupation_reason="敷设充电桩电缆需临时开挖人行道",
        occupation_start=today + datetime.timedelta(days=30),
        occupation_end=today + datetime.timedelta(days=37),
        road_type=JointInstallation.RoadType.SECONDARY,
        road_name="工业城路",
        road_address="信阳市平桥区工业城路东侧人行道",
        delivery=JointInstallation.Delivery.SYSTEM,
    )
    attach_due_materials(application, user, seed=300)
    try:
        application = workflow.submit(application, user=user)
    except workflow.WorkflowError as exc:
        return application, f"（联办演示申请未能提交：{exc.message}）"
    if "power" in reviewers:
        workflow.start_review(application, user=reviewers["power"])
    return application, ""


# --- Entry point ------------------------------------------------------------------


def load(stdout) -> None:
    _reference_data()
    reviewer_credentials = Credentials(REVIEWERS_FILE)
    applicant_credentials = Credentials(APPLICANTS_FILE)
    reviewers, reviewer_lines = _reviewers(reviewer_credentials)
    reviewer_credentials.save()
    applicants, applicant_lines = _applicants(applicant_credentials, reviewers)
    applicant_credentials.save()

    stations, orders = _pushed_stations(applicants)
    notes = []
    operator = applicants.get("demo-operator")
    if operator is not None and operator.is_active:
        station = stations["信阳市浉河区羊山充电站"]
        _station_dossier(operator, station)
        note = demo_material.construction_subsidies(operator, station, attach_due_materials)
        if note:
            notes.append(note)
        demo_material.electrician_certificate(operator)
    builder = applicants.get("demo-builder")
    if builder is not None and builder.is_active:
        _, note = _joint_application(builder, reviewers)
        if note:
            notes.append(note)

    stdout.write(
        f"演示办事数据已就绪：{len(stations)} 个充电站，本次新增 {orders} 笔订单，"
        f"{Application.objects.exclude(state='draft').count()} 份已提交的申请。"
    )
    for note in notes:
        stdout.write(note)
    stdout.write("审核工作台 http://127.0.0.1:8000/admin/review/  演示审核账号：")
    for line in reviewer_lines:
        stdout.write(f"  {line}")
    stdout.write("办事门户演示申请人账号：")
    for line in applicant_lines:
        stdout.write(f"  {line}")
