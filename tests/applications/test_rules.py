"""Per-type submission rules, the detail forms they read and the repeating rows.

Each rule is exercised through `problems_for_submission` (what `submit` calls) with
real rows, and the exact Chinese sentence the applicant reads is pinned.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from applications.forms import detail_form, form_errors, save_detail
from applications.lines import (
    add_invoice_line,
    add_technician,
    remove_invoice_line,
    remove_technician,
)
from applications.models import (
    Application,
    Attachment,
    Interconnection,
    InvoiceLine,
    JointInstallation,
    OperationSubsidy,
    OperatorRegistration,
    State,
    StationDossier,
)
from applications.rules import invoice_problems, problems_for_submission
from applications.uploads import UploadRejected
from applications.workflow import WorkflowError, withdraw
from catalogue.models import ApplicationKind
from workdays.models import CalendarYear, SpecialDay

from .factories import (
    GREEN_ITEM,
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    add_technicians,
    attach,
    attach_due_materials,
    invoice_line_data,
    joint_detail,
    make_applicant,
    make_application,
    make_dossier,
    make_operator_registration,
    make_order,
    make_station,
    make_subsidy_ready,
    pdf_upload,
    png_upload,
    submit,
    upload,
)

# Deadlines, survey dates and subsidy years count from today: run at a fixed moment inside
# the covered calendar (tests/conftest.py), whatever the real date.
pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


# --------------------------------------------------------------------------- 运营商注册


@pytest.fixture
def registration(operator):
    """An operator registration with every material except the technicians."""
    application = make_operator_registration(operator)
    attach(application, "software-copyright-certificate")
    attach(application, "commitment-letter")
    return application


def test_registered_capital_below_ten_million_is_refused(registration):
    add_technicians(registration, 8)
    detail = registration.detail
    detail.registered_capital = Decimal("999.99")
    detail.save()
    assert problems_for_submission(registration) == [
        "注册资金为 999.99 万元，运营商准入条件要求不少于 1000 万元。"
    ]
    detail.registered_capital = Decimal("1000.00")
    detail.save()
    assert problems_for_submission(registration) == []
    assert submit(registration).state == State.SUBMITTED


def test_capital_typed_into_the_form_is_decimal(registration):
    data = {
        f.name: getattr(registration.detail, f.name)
        for f in OperatorRegistration._meta.concrete_fields
        if f.name not in ("id", "application")
    }
    data.update(registered_capital="999.99", registered_on="2020-05-01")
    obj, form = save_detail(registration, data)
    assert form.is_valid(), form.errors
    obj.refresh_from_db()
    assert obj.registered_capital == Decimal("999.99")
    assert isinstance(obj.registered_capital, Decimal)

    obj, form = save_detail(registration, {**data, "registered_capital": "一千万"})
    assert obj is None
    assert "注册资金（万元）" in form_errors(form)
    obj, form = save_detail(registration, {**data, "software_copyright_number": "SR123"})
    assert form_errors(form)["软件著作权登记号"] == [
        "软件著作权登记号格式如 2024SR0123456，请对照登记证书填写。"
    ]


def test_eight_technicians_each_with_a_certificate(registration, operator):
    add_technicians(registration, 7)
    problems = problems_for_submission(registration)
    assert problems == [
        "需填写 8 名及以上持电工进网作业许可证的专职运行维护人员，目前为 7 名。",
        "“电工进网作业许可证”至少需要 8 份，已提供 7 份。",
    ]
    add_technicians(registration, 1, start=8, with_certificate=False)
    assert problems_for_submission(registration) == [
        "技术人员“技术员8”还没有上传电工进网作业许可证。",
        "“电工进网作业许可证”至少需要 8 份，已提供 7 份。",
    ]
    # Replace the one without a certificate.
    remove_technician(registration.detail.technicians.get(name="技术员8"), user=operator.user)
    add_technicians(registration, 1, start=9)
    assert problems_for_submission(registration) == []


def test_a_technician_and_the_certificate_are_stored_together(
    registration, operator, private_folder, django_capture_on_commit_callbacks
):
    technician, form = add_technician(
        registration,
        {"name": "赵磊", "phone": "13700001111", "certificate_number": "DG-001"},
        png_upload("赵磊电工证.png"),
        user=operator.user,
    )
    assert technician.certificate.requirement.code == "electrician-licence"
    assert technician.certificate.original_name == "赵磊电工证.png"

    # Same certificate number twice: a form error, nothing stored.
    again, form = add_technician(
        registration,
        {"name": "赵磊", "certificate_number": "DG-001"},
        png_upload(),
        user=operator.user,
    )
    assert again is None
    assert form.errors["certificate_number"] == ["许可证编号 DG-001 已经填写过。"]
    # A certificate in the wrong format: no technician row either.
    with pytest.raises(UploadRejected):
        add_technician(
            registration,
            {"name": "钱程", "certificate_number": "DG-002"},
            upload(b"PK\x03\x04 not a certificate", "钱程.docx"),
            user=operator.user,
        )
    assert list(registration.detail.technicians.values_list("name", flat=True)) == ["赵磊"]

    certificate = technician.certificate
    with django_capture_on_commit_callbacks(execute=True):
        remove_technician(technician, user=operator.user)
    assert not Attachment.objects.filter(pk=certificate.pk).exists()
    assert not (private_folder / certificate.file.name).exists()


def test_missing_platform_facts_are_named(registration):
    add_technicians(registration, 8)
    detail = registration.detail
    detail.platform_name = ""
    detail.software_copyright_number = ""
    detail.save()
    assert problems_for_submission(registration) == [
        "请填写服务平台名称。",
        "请填写计算机软件著作权登记号。",
    ]


def test_an_application_without_its_form_is_refused(operator):
    for kind in (
        ApplicationKind.OPERATOR_REGISTRATION,
        ApplicationKind.INTERCONNECTION,
        ApplicationKind.OPERATION_SUBSIDY,
    ):
        application = make_application(operator, kind)
        assert problems_for_submission(application)[0] == (
            f"请先填写“{ApplicationKind(kind).label}”的申请信息。"
        )


# --------------------------------------------------------------------------- 互联互通接入


def interconnection_data(**overrides):
    data = {
        "platform_operator": "信阳豫充新能源有限公司",
        "builder": "河南电科信息技术有限公司",
        "builder_address": "郑州市金水区花园路 1 号",
        "liaison": "周敏",
        "engineer": "吴昊",
        "engineer_phone": "13600001234",
        "platform_name": "豫充通",
        "access_key": "AK-4f1c9e2d7b",
        "signing_key": "SK-a8e3b1",
        "message_key": "MK-1234567890abcdef",
        "message_iv": "IV-fedcba0987654321",
        "scope": Interconnection.Scope.SERVICE,
        "station_count": "2",
        "pile_count": "10",
    }
    data.update(overrides)
    return data


def test_interconnection_counts_must_match_the_registered_stations(operator):
    application = make_application(operator, ApplicationKind.INTERCONNECTION)
    obj, form = save_detail(application, interconnection_data())
    assert obj is not None, form.errors
    assert application.title == "豫充通"

    assert problems_for_submission(application) == [
        "填写的充电站 2 座、充电桩 10 个，与“我的充电站”中的 0 座、0 个不一致。请核对；"
        "若站点数据与实际不符，请联系运营平台重新推送。"
    ]
    make_station(operator, "浉河万达充电站", pile_count=4)
    make_station(operator, "羊山新区充电站", pile_count=6)
    make_station(make_applicant(), "别人的站", pile_count=9)
    assert problems_for_submission(application) == []
    make_station(operator, "平桥充电站", pile_count=2)
    assert "与“我的充电站”中的 3 座、12 个不一致" in problems_for_submission(application)[0]


# --------------------------------------------------------------------------- 建站资料


def test_a_dossier_binds_to_the_station_with_exactly_that_name(operator):
    station = make_station(operator, "信阳市浉河区万达广场充电站")
    make_station(operator, "罗山县汽车站充电站")
    application = make_dossier(
        operator, station, submit_it=False, station_name="信阳浉河万达广场充电站"
    )
    problems = problems_for_submission(application)
    assert problems == [
        "“我的充电站”中没有名称为“信阳浉河万达广场充电站”的站点，无法绑定。"
        "名称相近的站点：信阳市浉河区万达广场充电站。"
        "请把建站资料中的充电站名称改成与“我的充电站”完全一致后再提交。"
    ]
    with pytest.raises(WorkflowError):
        submit(application)

    dossier = application.detail
    dossier.station_name = "信阳市浉河区万达广场充电站"
    dossier.save()
    application = submit(application)
    dossier = StationDossier.objects.get(pk=dossier.pk)
    assert dossier.station == station
    # Withdrawing releases the station again.
    withdraw(application, user=operator.user)
    dossier.refresh_from_db()
    assert dossier.station is None


def test_binding_explains_when_there_is_nothing_close_or_nothing_at_all(operator):
    station = make_station(operator, "罗山县汽车站充电站")
    application = make_dossier(operator, station, submit_it=False, station_name="郑东新区充电站")
    assert problems_for_submission(application) == [
        "“我的充电站”中没有名称为“郑东新区充电站”的站点，无法绑定。您的站点有：罗山县汽车站充电站。"
        "请把建站资料中的充电站名称改成与“我的充电站”完全一致后再提交。"
    ]
    station.delete()
    assert problems_for_submission(application) == [
        "“我的充电站”中还没有站点，无法绑定。请先让运营平台通过互联互通把站点信息推送到省平台。"
    ]


def test_a_station_binds_to_one_dossier_only(operator):
    station = make_station(operator, "羊山新区充电站")
    first = make_dossier(operator, station)
    second = make_dossier(operator, station, submit_it=False)
    assert problems_for_submission(second) == [
        f"充电站“羊山新区充电站”已绑定其他建站资料（{first.reference}）。"
    ]


def test_completion_before_start_is_refused(operator):
    station = make_station(operator)
    application = make_dossier(operator, station, submit_it=False)
    dossier = application.detail
    dossier.completed_on = dossier.started_on - datetime.timedelta(days=1)
    dossier.save()
    assert problems_for_submission(application) == ["完工时间不能早于开工时间。"]


# --------------------------------------------------------------------------- 建设补贴


def test_invoice_amounts_add_up_exactly_in_decimal():
    def line(used, amount="100.30", **extra):
        values = {
            "invoice_code": "",
            "invoice_number": "12345678",
            "invoice_amount": Decimal(amount),
            "used_amount": Decimal(used),
            "issued_on": datetime.date(2026, 5, 20),
            "buyer_name": "甲公司",
        }
        values.update(extra)
        return SimpleNamespace(**values)

    def check(lines, explanation=False):
        return invoice_problems(
            lines, applicant_name="甲公司", subsidy_year=2026, has_explanation=explanation
        )

    assert check([line("33.43"), line("33.43"), line("33.44")]) == []
    assert check([line("0.10", "0.30"), line("0.20", "0.30")]) == []  # no float drift
    assert check([line("33.43"), line("33.43"), line("33.43")]) == [
        "发票 12345678 的使用金额合计 100.29 元，与发票金额 100.30 元不一致；"
        "一张发票多个设备时每个设备录一条，使用金额之和应等于发票金额。"
    ]
    assert check([line("50.00"), line("50.30", amount="100.31")]) == [
        "发票 12345678 的各行发票金额不一致（100.30、100.31），同一张发票的发票金额应相同。"
    ]
    # An invoice outside the year and with another buyer needs the explanation.
    odd = [
        line("100.30", issued_on=datetime.date(2025, 12, 30)),
        line("10.00", amount="10.00", invoice_number="87654321", buyer_name="乙公司"),
    ]
    assert check(odd) == [
        "发票 12345678 开票日期不在 2026 补贴年度内；发票 87654321 发票抬头与申请主体“甲公司”不一致。"
        "请上传加盖公章的发票说明（材料“发票说明（加盖公章）”）。"
    ]
    assert check(odd, explanation=True) == []
    # Same number under two invoice codes: two different invoices.
    assert check([line("100.30", invoice_code="4100231130"), line("100.30")]) == []


@pytest.fixture
def subsidy(operator):
    """A construction subsidy draft for a station whose dossier has been submitted."""
    station = make_subsidy_ready(make_station(operator, "浉河万达充电站", pile_count=6))
    make_dossier(operator, station)
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    obj, form = save_detail(application, {"station": station.pk, "subsidy_year": "2026"})
    assert obj is not None, form.errors
    assert application.title == "浉河万达充电站（2026年度）"
    return application


def add_line(application, invoice=None, **data):
    values = invoice_line_data(buyer_name=application.applicant.name)
    values.update({k: str(v) for k, v in data.items()})
    invoice_file_id = values.pop("invoice_file_id", None)
    line, form = add_invoice_line(
        application,
        values,
        invoice,
        user=application.applicant.user,
        invoice_file_id=invoice_file_id,
    )
    assert line is not None, form.errors
    return line


def test_lines_of_one_invoice_share_its_file(
    subsidy, private_folder, django_capture_on_commit_callbacks
):
    first = add_line(subsidy, pdf_upload("发票12345678.pdf"), used_amount="60000.00")
    assert problems_for_submission(subsidy) == [
        "发票 4100231130-12345678 的使用金额合计 60000.00 元，与发票金额 100000.00 元不一致；"
        "一张发票多个设备时每个设备录一条，使用金额之和应等于发票金额。"
    ]
    # The second device of the same invoice picks up the file already uploaded.
    second = add_line(subsidy, equipment="transformer", quantity="1", used_amount="25000.00")
    third = add_line(
        subsidy,
        equipment="civil",
        quantity="1",
        used_amount="15000.00",
        invoice_file_id=first.invoice_file_id,
    )
    assert second.invoice_file == first.invoice_file == third.invoice_file
    assert subsidy.attachments.filter(requirement__code="invoice").count() == 1
    assert problems_for_submission(subsidy) == []

    # The file stays while any line uses it, and goes with the last one.
    invoice_file = first.invoice_file
    with django_capture_on_commit_callbacks(execute=True):
        remove_invoice_line(first, user=subsidy.applicant.user)
        remove_invoice_line(second, user=subsidy.applicant.user)
    assert Attachment.objects.filter(pk=invoice_file.pk).exists()
    assert (private_folder / invoice_file.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        remove_invoice_line(third, user=subsidy.applicant.user)
    assert not Attachment.objects.filter(pk=invoice_file.pk).exists()
    assert not (private_folder / invoice_file.file.name).exists()


def test_a_line_cannot_borrow_a_file_of_another_application(subsidy, operator):
    other = make_application(operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[ROAD_ITEM])
    foreign = attach(other, "construction-drawings")
    with pytest.raises(UploadRejected, match="所选发票文件不属于此申请"):
        add_line(subsidy, invoice_file_id=foreign.pk)
    assert not InvoiceLine.objects.exists()


def test_a_line_without_a_file_and_a_subsidy_without_lines(subsidy):
    assert problems_for_submission(subsidy) == ["请至少录入一条发票信息。", "缺少“发票”。"]
    add_line(subsidy)
    assert problems_for_submission(subsidy) == [
        "发票 12345678（直流充电桩）还没有上传发票文件。",
        "缺少“发票”。",
    ]


def test_an_invoice_from_another_year_or_buyer_needs_the_explanation(subsidy):
    add_line(subsidy, pdf_upload("发票.pdf"), issued_on="2025-12-30")
    add_line(
        subsidy,
        pdf_upload("发票2.pdf"),
        equipment="civil",
        invoice_number="87654321",
        invoice_code="",
        invoice_amount="5000.00",
        used_amount="5000.00",
        buyer_name="信阳某某贸易有限公司",
    )
    assert problems_for_submission(subsidy) == [
        "发票 4100231130-12345678 开票日期不在 2026 补贴年度内；"
        f"发票 87654321 发票抬头与申请主体“{subsidy.applicant.name}”不一致。"
        "请上传加盖公章的发票说明（材料“发票说明（加盖公章）”）。"
    ]
    attach(subsidy, "invoice-explanation", pdf_upload("发票说明（盖章）.pdf"))
    assert problems_for_submission(subsidy) == []
    assert submit(subsidy).state == State.SUBMITTED


def test_invoice_line_form_refuses_more_used_than_invoiced(subsidy):
    line, form = add_invoice_line(
        subsidy,
        invoice_line_data(used_amount="100000.01", invoice_number="1234"),
        None,
        user=subsidy.applicant.user,
    )
    assert line is None
    assert form.errors["used_amount"] == ["使用金额不能大于发票金额。"]
    assert form.errors["invoice_number"] == ["发票号码应为 8 位（全电发票为 20 位）数字。"]


def test_no_construction_subsidy_for_a_station_without_a_submitted_dossier(operator):
    station = make_subsidy_ready(make_station(operator, "平桥充电站"))
    draft = make_dossier(operator, station, submit_it=False)
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    obj, form = save_detail(application, {"station": station.pk, "subsidy_year": "2026"})
    assert obj is None
    assert form.errors["station"] == [
        "充电站“平桥充电站”还没有完成建站资料录入，完成后才能申请建设补贴。"
    ]

    # Once a subsidy references the station, its dossier can no longer be withdrawn.
    submit(draft)
    obj, form = save_detail(application, {"station": station.pk, "subsidy_year": "2026"})
    assert obj is not None
    with pytest.raises(WorkflowError, match="该站点已有建设补贴申请，请先删除补贴申请"):
        withdraw(draft, user=operator.user)
    # The rule holds if the dossier is unbound all the same (data from before the fix).
    StationDossier.objects.filter(application=draft).update(station=None)
    application = Application.objects.get(pk=application.pk)
    assert problems_for_submission(application)[0] == (
        "充电站“平桥充电站”还没有完成建站资料录入，请先提交建站资料并绑定站点。"
    )


def test_only_own_stations_can_be_chosen(operator, other_operator):
    theirs = make_station(other_operator, "别人的充电站")
    make_dossier(other_operator, theirs)
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    form = detail_form(application, {"station": theirs.pk, "subsidy_year": "2026"})
    assert not form.is_valid()
    assert form.errors["station"] == ["请选择您自己的充电站。"]
    form = detail_form(application, {"station": "", "subsidy_year": "1999"})
    assert form.errors["subsidy_year"] == ["请填写正确的补贴年度，例如 2026。"]


# --------------------------------------------------------------------------- 运营补贴


MISSING_LIST = "缺少“签字盖章的订单明细”。"


def test_an_operation_subsidy_needs_orders_in_that_year(operator, other_operator):
    from subsidies import demo, orderlist

    demo.load(years=(2026,))
    application = make_application(operator, ApplicationKind.OPERATION_SUBSIDY)
    OperationSubsidy.objects.create(application=application, year=2026)
    assert problems_for_submission(application) == [
        "2026 年度没有符合运营补贴的订单，无法申请。",
        MISSING_LIST,
    ]

    station = make_station(operator)
    local = timezone.get_current_timezone()
    make_order(station, datetime.datetime(2025, 12, 31, 23, 30, tzinfo=local))
    make_order(make_station(other_operator), datetime.datetime(2026, 6, 1, 9, 0, tzinfo=local))
    assert problems_for_submission(application) == [
        "2026 年度没有符合运营补贴的订单，无法申请。",
        MISSING_LIST,
    ]

    # Just after midnight local time on New Year's Day counts for the new year.
    make_order(station, datetime.datetime(2026, 1, 1, 0, 15, tzinfo=local))
    # The signed list is uploaded against the number of the list downloaded.
    order_list, _ = orderlist.issue(application)
    orderlist.upload_signed(
        application, order_list.number, pdf_upload("订单明细（盖章）.pdf"), user=operator.user
    )
    assert problems_for_submission(application) == []


def test_builders_cannot_apply_for_operation_subsidies(builder):
    with pytest.raises(WorkflowError, match="充电设施建设方不能办理“运营补贴申请”"):
        make_application(builder, ApplicationKind.OPERATION_SUBSIDY)


# --------------------------------------------------------------------------- 联办申请表


def joint_application(applicant, items=(POWER_ITEM,), **detail):
    application = make_application(
        applicant, ApplicationKind.JOINT_INSTALLATION, item_codes=list(items)
    )
    joint_detail(application, **detail)
    attach_due_materials(application)
    return application


def survey_problems(application, day):
    application.detail.survey_date = day
    application.detail.save()
    return problems_for_submission(application)


@pytest.mark.clock("2026-12-21 10:00")  # a Monday, the last full week of the covered calendar
def test_the_survey_date_must_be_a_future_working_day(operator):
    CalendarYear.objects.filter(year=2027).delete()  # the next year's notice not yet entered
    application = joint_application(operator)
    today = timezone.localdate()
    assert today == datetime.date(2026, 12, 21)
    assert problems_for_submission(application) == []
    for day in (today, today - datetime.timedelta(days=1)):
        assert survey_problems(application, day) == ["期望现场踏勘日期应晚于今天。"]
    saturday = datetime.date(2026, 12, 26)
    assert survey_problems(application, saturday) == [
        "期望现场踏勘日期 2026-12-26 是节假日或周末，请选择工作日。"
    ]
    assert survey_problems(application, datetime.date(2026, 12, 28)) == []  # a Monday
    # Staff mark a weekday as a holiday in the calendar; the rule follows at once.
    SpecialDay.objects.create(date=datetime.date(2026, 12, 31), kind="holiday", name="测试假日")
    assert survey_problems(application, datetime.date(2026, 12, 31)) == [
        "期望现场踏勘日期 2026-12-31 是节假日或周末，请选择工作日。"
    ]
    assert survey_problems(application, datetime.date(2027, 1, 5)) == [
        "期望现场踏勘日期所在年度2027年的工作日历尚未发布，请选择更近的日期。"
    ]


def test_power_fields_follow_the_chosen_power_item(operator, resident):
    enterprise = joint_application(operator, power_use="", capacity_kva=None)
    assert problems_for_submission(enterprise) == [
        "已选择用电报装，请选择用电业务类型。",
        "已选择用电报装，请填写供电容量（kVA）。",
    ]
    # 低压非居民新装 is not a resident item, whatever its code ends with.
    enterprise.detail.power_use = JointInstallation.PowerUse.COMMERCIAL
    enterprise.detail.capacity_kva = Decimal("80.0")
    enterprise.detail.save()
    assert problems_for_submission(enterprise) == []
    enterprise.detail.power_use = JointInstallation.PowerUse.RESIDENTIAL
    enterprise.detail.save()
    assert problems_for_submission(enterprise) == [
        "企业新装请选择商业、普通工业、非工业或其他业务类型。"
    ]

    home = make_application(
        resident, ApplicationKind.JOINT_INSTALLATION, item_codes=[RESIDENT_POWER_ITEM]
    )
    joint_detail(home, power_use=JointInstallation.PowerUse.COMMERCIAL)
    attach_due_materials(home)
    assert problems_for_submission(home) == ["低压居民新装的业务类型应为“居民生活用电”。"]


def test_road_and_green_items_need_their_fields(operator):
    application = joint_application(
        operator,
        (ROAD_ITEM, TRAFFIC_ITEM, GREEN_ITEM),
        road_type="",
        road_name="",
        occupation_reason="",
        occupation_start=None,
        occupation_end=None,
        green_address="",
        green_nature="",
        green_length_m=None,
        green_width_m=None,
        delivery=JointInstallation.Delivery.POST,
        postal_address="",
    )
    items = "占用、挖掘城市道路审批、影响交通安全占道施工审核"
    assert problems_for_submission(application) == [
        f"已选择“{items}”，请填写道路类型。",
        f"已选择“{items}”，请填写道路名称。",
        f"已选择“{items}”，请填写临时占用、挖掘原因。",
        f"已选择“{items}”，请填写占用开始日期。",
        f"已选择“{items}”，请填写占用结束日期。",
        "已选择绿地审批，请填写占用绿地地址。",
        "已选择绿地审批，请填写绿地性质。",
        "已选择绿地审批，请填写占用长度。",
        "已选择绿地审批，请填写占用宽度。",
        "送达方式为邮寄，请填写邮寄地址。",
    ]
    detail = application.detail
    detail.road_type = "arterial"
    detail.road_name = "新华路"
    detail.occupation_reason = "敷设电缆"
    detail.occupation_start = datetime.date(2027, 3, 10)
    detail.occupation_end = datetime.date(2027, 3, 1)
    detail.green_address = "新华路绿化带"
    detail.green_nature = "公共绿地"
    detail.green_length_m = Decimal("5.00")
    detail.green_width_m = Decimal("1.25")
    detail.postal_address = "信阳市浉河区新华路 1 号"
    detail.save()
    assert problems_for_submission(application) == ["占用结束日期不能早于开始日期。"]
    assert detail.green_area_m2 == Decimal("6.25")
    # A joint form without a power item asks nothing about power.
    assert not any("用电" in p for p in problems_for_submission(application))
