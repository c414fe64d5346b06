"""The service catalogue: the bundled fixture, its loader, the public guides and the admin."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalogue.loading import load_catalogue, read_fixture
from catalogue.models import ApplicationKind, Department, MaterialRequirement, ServiceItem

pytestmark = pytest.mark.django_db

S = MaterialRequirement.Source

# Attachment 2 of 信电〔2024〕141号, in document order:
# (item code, item name, department, time limit, joint group, [(material, source), ...]).
XINYANG = [
    (
        "xy-low-voltage-resident",
        "低压居民新装",
        "power",
        "即办件",
        "用电报装",
        [
            ("用电人有效身份证件", S.SYSTEM),
            ("固定车位使用证明", S.SCAN),
            ("物业证明(无物业的由居委会、业委会出具)", S.ORIGINAL),
            ("用电人新能源汽车购车证明", S.ELECTRONIC),
        ],
    ),
    (
        "xy-low-voltage-non-resident",
        "低压非居民新装",
        "power",
        "即办件",
        "用电报装",
        [("主体证明", S.SYSTEM), ("产权证明", S.SYSTEM)],
    ),
    (
        "xy-high-voltage",
        "高压新装",
        "power",
        "即办件",
        "用电报装",
        [("主体证明", S.SYSTEM), ("产权证明", S.SYSTEM)],
    ),
    (
        "xy-road-occupation-excavation",
        "占用、挖掘城市道路审批",
        "urban",
        "1个工作日",
        "占用、挖掘城市道路审批",
        [
            ("营业执照", S.SYSTEM),
            ("中华人民共和国建设工程规划许可证", S.SCAN),
            ("中华人民共和国居民身份证", S.SYSTEM),
            ("城市道路占用费缴纳证明", S.DEFERRABLE),
            ("城市道路掘动申请表", S.SCAN),
            ("临时占用市政设施情况登记表", S.SCAN),
            ("临时占用城市道路申请表（A B表）", S.SCAN),
            ("大型施工项目施工图纸材料", S.SCAN),
            ("施工图纸技术设计材料", S.SCAN),
        ],
    ),
    (
        "xy-green-space-trees",
        "工程建设涉及城市绿地、树木审批",
        "urban",
        "1个工作日",
        "工程建设涉及城市绿地、树木审批",
        [
            ("场地使用权佐证材料", S.SCAN),
            ("工程建设涉及城市绿地、树木情况说明材料", S.SCAN),
            ("工程建设涉及城市绿地、树木申请表", S.SCAN),
            ("工程建设许可材料", S.SCAN),
        ],
    ),
    (
        "xy-traffic-safety-road-works",
        "影响交通安全占道施工审核",
        "police",
        "即办件",
        "影响交通安全占道施工审核",
        [("市政工程审批文件、交通组织方案、交通安全承诺书", S.SCAN)],
    ),
]

PROVINCIAL = {
    # code: (kind, time limit label, applicant types, [(material, formats), ...])
    "account": (
        ApplicationKind.ACCOUNT,
        "3个工作日（高峰期顺延）",
        ["operator", "builder"],
        [("营业执照扫描件", "jpg,png")],
    ),
    "operator-registration": (
        ApplicationKind.OPERATOR_REGISTRATION,
        "未规定办理时限",
        ["operator"],
        [
            ("电工进网作业许可证", "jpg,png,pdf"),
            ("计算机软件著作权登记证书", "pdf,jpg,png"),
            ("承诺书（加盖公章）", "pdf"),
        ],
    ),
    "interconnection": (
        ApplicationKind.INTERCONNECTION,
        "3个工作日（高峰期顺延）",
        ["operator", "builder"],
        [],
    ),
    "station-dossier": (
        ApplicationKind.STATION_DOSSIER,
        "未规定办理时限",
        ["operator", "builder"],
        [
            ("土建照片", "jpg,png"),
            ("设备照片", "jpg,png"),
            ("产品合格证（含检测报告）", "pdf"),
            ("竣工验收报告", "pdf"),
            ("财务决算报告", "pdf"),
        ],
    ),
    "construction-subsidy": (
        ApplicationKind.CONSTRUCTION_SUBSIDY,
        "5个工作日（高峰期顺延）",
        ["operator", "builder"],
        [("发票", "pdf,jpg,png"), ("发票说明（加盖公章）", "pdf")],
    ),
    "operation-subsidy": (
        ApplicationKind.OPERATION_SUBSIDY,
        "未规定办理时限",
        ["operator"],
        [("签字盖章的订单明细", "pdf")],
    ),
}


@pytest.fixture(autouse=True)
def catalogue_rows():
    """The data migration loads the fixture; reload it if a transactional test flushed it."""
    if not ServiceItem.objects.filter(code="xy-high-voltage").exists():
        load_catalogue()


def joint_items():
    return ServiceItem.objects.filter(kind=ApplicationKind.JOINT_INSTALLATION).order_by(
        "sort_order", "pk"
    )


def material_names(item):
    return list(item.materials.order_by("sort_order", "pk").values_list("name", flat=True))


# --- the fixture after migrations ---------------------------------------------------


def test_departments():
    rows = dict(Department.objects.values_list("code", "full_name"))
    assert rows == {
        "power": "国网信阳供电公司",
        "urban": "信阳市城市管理局",
        "police": "信阳市公安局",
        "housing": "信阳市住房和城乡建设局",
        "platform": "河南省充电智能服务平台",
    }
    names = dict(Department.objects.values_list("code", "name"))
    assert names["power"] == "供电" and names["platform"] == "省平台"


def test_six_joint_items_in_document_order():
    items = list(joint_items().select_related("department"))
    assert [i.code for i in items] == [row[0] for row in XINYANG]
    for item, (_, name, department, time_limit, group, _materials) in zip(
        items, XINYANG, strict=True
    ):
        assert item.name == name
        assert item.department.code == department
        assert item.time_limit_label == time_limit
        assert item.joint_group == group
        assert item.basis == "信电〔2024〕141号"


def test_twenty_two_materials_in_document_order_with_sources():
    actual = [
        (m.name, m.source)
        for item in joint_items()
        for m in item.materials.order_by("sort_order", "pk")
    ]
    expected = [material for row in XINYANG for material in row[5]]
    assert len(expected) == 22
    assert actual == expected
    assert (
        MaterialRequirement.objects.filter(item__kind=ApplicationKind.JOINT_INSTALLATION)
        .exclude(formats="jpg,png,pdf")
        .count()
        == 0
    )


def test_sources_and_time_limits_of_particular_rows():
    road = ServiceItem.objects.get(name="占用、挖掘城市道路审批")
    assert road.handling == ServiceItem.Handling.WORKING_DAYS and road.working_days == 1
    assert road.time_limit_days == 1
    fee = road.materials.get(name="城市道路占用费缴纳证明")
    assert fee.source == S.DEFERRABLE and not fee.due_at_submission

    high = ServiceItem.objects.get(name="高压新装")
    assert high.handling == ServiceItem.Handling.IMMEDIATE and high.working_days is None
    assert high.time_limit_label == "即办件" and high.time_limit_days == 0

    resident = ServiceItem.objects.get(code="xy-low-voltage-resident")
    assert resident.materials.get(code="property-management-proof").source == S.ORIGINAL
    assert resident.applicant_types == ["resident"]
    for code in ("xy-low-voltage-non-resident", "xy-high-voltage"):
        assert ServiceItem.objects.get(code=code).applicant_types == ["operator", "builder"]

    traffic = ServiceItem.objects.get(code="xy-traffic-safety-road-works")
    assert traffic.department.code == "police"
    assert "影响评估报告" in traffic.materials.get().note


def test_provincial_items_and_formats():
    for code, (kind, time_limit, applicants, materials) in PROVINCIAL.items():
        item = ServiceItem.objects.get(code=code)
        assert item.kind == kind
        assert item.department.code == "platform"
        assert item.time_limit_label == time_limit, code
        assert item.applicant_types == applicants, code
        rows = list(item.materials.order_by("sort_order").values_list("name", "formats"))
        assert rows == materials, code

    licence = MaterialRequirement.objects.get(item__code="account", name="营业执照扫描件")
    assert licence.format_list == ["jpg", "png"]
    assert licence.archive_kind == MaterialRequirement.ArchiveKind.LICENCE
    report = MaterialRequirement.objects.get(name="竣工验收报告")
    assert report.formats == "pdf" and "NB/T 33004-2020" in report.note

    electricians = MaterialRequirement.objects.get(code="electrician-licence")
    assert (electricians.min_count, electricians.max_count) == (8, 50)
    invoice = MaterialRequirement.objects.get(item__code="construction-subsidy", code="invoice")
    assert (invoice.min_count, invoice.max_count) == (1, 200)
    explanation = MaterialRequirement.objects.get(code="invoice-explanation")
    assert not explanation.required and not explanation.due_at_submission

    registration = ServiceItem.objects.get(code="operator-registration")
    lines = registration.condition_lines()
    assert len(lines) == 5
    assert "1000万元" in lines[0] and "8名" in lines[2]


def test_every_fixture_row_validates():
    for item in ServiceItem.objects.all():
        item.full_clean()
    for material in MaterialRequirement.objects.all():
        material.full_clean()


# --- loader ---------------------------------------------------------------------------


def test_load_is_idempotent_and_keeps_editor_changes():
    item = ServiceItem.objects.get(code="xy-high-voltage")
    extra = MaterialRequirement.objects.create(
        item=item, code="editor-extra", name="编辑新增的材料", source=S.SCAN, formats="pdf"
    )
    item.live = False
    item.save(update_fields=["live"])
    counts_before = (
        Department.objects.count(),
        ServiceItem.objects.count(),
        MaterialRequirement.objects.count(),
    )

    counts = load_catalogue()
    assert counts["departments"] == {"created": 0, "updated": 0, "unchanged": 5}
    assert counts["items"] == {"created": 0, "updated": 0, "unchanged": 12}
    assert counts["materials"] == {"created": 0, "updated": 0, "unchanged": 34}
    assert counts_before == (
        Department.objects.count(),
        ServiceItem.objects.count(),
        MaterialRequirement.objects.count(),
    )
    assert MaterialRequirement.objects.filter(pk=extra.pk).exists()
    item.refresh_from_db()
    assert item.live is False  # an item taken offline stays offline


def test_load_restores_changed_fixture_fields_and_recreates_deleted_rows():
    material = MaterialRequirement.objects.get(item__code="account", code="business-licence")
    material.formats = "pdf"
    material.save()
    MaterialRequirement.objects.filter(code="ev-purchase-proof").delete()

    counts = load_catalogue()
    assert counts["materials"]["updated"] == 1
    assert counts["materials"]["created"] == 1
    material.refresh_from_db()
    assert material.formats == "jpg,png"
    resident = ServiceItem.objects.get(code="xy-low-voltage-resident")
    assert material_names(resident)[-1] == "用电人新能源汽车购车证明"


def test_fixture_counts():
    data = read_fixture()
    assert len(data["departments"]) == 5
    assert len(data["items"]) == 12
    assert sum(len(item["materials"]) for item in data["items"]) == 34


def test_management_command_prints_chinese_summary():
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    text = out.getvalue()
    assert "办事事项目录已导入" in text
    assert "事项 12 项" in text and "材料 34 项" in text


# --- public guides ------------------------------------------------------------------------


def test_index_lists_both_groups(client):
    response = client.get("/services/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "省平台业务" in html and "信阳“充电桩报装一件事”联办事项" in html
    for _, name, *_rest in XINYANG:
        assert name in html
    assert "运营商注册" in html and "1个工作日" in html and "即办件" in html
    assert "信阳市城市管理局" in html and "个人/居民" in html
    assert reverse("catalogue:guide", args=["xy-road-occupation-excavation"]) in html
    assert "<caption" in html


def test_guide_page_shows_its_materials_and_time_limit(client):
    response = client.get("/services/xy-road-occupation-excavation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "信阳市城市管理局" in html
    assert "1个工作日" in html
    assert "城市道路占用费缴纳证明" in html and "可容缺" in html
    for header in ("序号", "材料名称", "材料类型及来源", "格式", "份数", "是否必须", "说明"):
        assert f'<th scope="col">{header}</th>' in html
    assert 'href="/my/applications/new/joint_installation/"' in html
    assert "在线办理" in html


def test_guide_shows_exactly_its_own_materials(client):
    html = client.get("/services/xy-low-voltage-resident/").content.decode()
    rows = re.findall(r'<th scope="row">(.*?)</th>', html)
    assert rows == [
        "用电人有效身份证件",
        "固定车位使用证明",
        "物业证明(无物业的由居委会、业委会出具)",
        "用电人新能源汽车购车证明",
    ]
    assert "营业执照" not in html and "主体证明" not in html


def test_provincial_guide_and_item_without_materials(client):
    html = client.get("/services/operator-registration/").content.decode()
    assert "未规定办理时限" in html
    assert "1000万元" in html
    assert "电工进网作业许可证" in html and "8–50 份" in html
    assert 'href="/my/applications/new/operator_registration/"' in html

    html = client.get("/services/interconnection/").content.decode()
    assert "3个工作日（高峰期顺延）" in html
    assert "无需上传材料" in html


def test_unknown_or_offline_codes_are_404(client):
    assert client.get("/services/no-such-item/").status_code == 404
    ServiceItem.objects.filter(code="xy-high-voltage").update(live=False)
    assert client.get("/services/xy-high-voltage/").status_code == 404
    assert "高压新装" not in client.get("/services/").content.decode()


# --- Wagtail admin --------------------------------------------------------------------------


@pytest.fixture
def catalogue_admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("catalogue-admin", "c@example.com", "pw")
    client.force_login(user)
    return client


def test_service_item_snippet_list_loads(catalogue_admin):
    url = reverse(ServiceItem.snippet_viewset.get_url_name("list"))
    response = catalogue_admin.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "占用、挖掘城市道路审批" in html and "1个工作日" in html

    police = Department.objects.get(code="police")
    response = catalogue_admin.get(url, {"department": police.pk})
    assert response.status_code == 200
    assert [i.code for i in response.context["object_list"]] == ["xy-traffic-safety-road-works"]

    response = catalogue_admin.get(url, {"q": "补贴"})
    assert response.status_code == 200
    assert {i.code for i in response.context["object_list"]} == {
        "construction-subsidy",
        "operation-subsidy",
    }


def test_department_list_and_item_edit_form_load(catalogue_admin):
    response = catalogue_admin.get(reverse(Department.snippet_viewset.get_url_name("list")))
    assert response.status_code == 200
    assert "信阳市住房和城乡建设局" in response.content.decode()

    item = ServiceItem.objects.get(code="xy-low-voltage-resident")
    url = reverse(ServiceItem.snippet_viewset.get_url_name("edit"), args=[item.pk])
    response = catalogue_admin.get(url)
    assert response.status_code == 200
    assert "固定车位使用证明" in response.content.decode()  # materials edit inline


def test_admin_menu_has_the_catalogue_group(catalogue_admin):
    html = catalogue_admin.get(reverse("wagtailadmin_home")).content.decode()
    for label in ("办事事项", "审核部门"):
        assert json.dumps(label)[1:-1] in html
