"""The parser on the two source documents in ../shared/seeds (skipped when absent)."""

import datetime as dt

import pytest

from importer.parse import (
    Heading,
    ItemList,
    Note,
    Paragraph,
    Signature,
    StepList,
    Table,
    parse_document,
    parse_guide,
)

pytestmark = pytest.mark.seeds

BODIES = ["国网信阳供电公司", "信阳市城市管理局", "信阳市公安局", "信阳市行政审批和政务信息管理局"]
ITEMS = [
    "低压居民新装",
    "低压非居民新装",
    "高压新装",
    "占用、挖掘城市道路审批",
    "工程建设涉及城市绿地、树木审批",
    "影响交通安全占道施工审核",
]


@pytest.fixture
def plan(seeds_dir):
    return parse_document((seeds_dir / "004_a8b46cac7c4f28a0.txt").read_text(encoding="utf-8"))


@pytest.fixture
def guide(seeds_dir):
    return parse_guide((seeds_dir / "000_0a25eaa30b567b10.txt").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the plan


def test_plan_metadata(plan):
    assert plan.document_number == "信电〔2024〕141号"
    assert plan.title == "关于印发《信阳市“充电桩报装一件事”实施方案》的通知"
    assert plan.issuers == BODIES
    assert plan.written_date == dt.date(2024, 10, 29)
    assert plan.signature == Signature(BODIES, dt.date(2024, 10, 29))


def test_plan_notice_body(plan):
    before_signature = plan.body[: plan.body.index(plan.signature)]
    assert len(before_signature) == 2  # 主送机关 + the one paragraph of the notice
    assert before_signature[0].text.endswith("行政审批和政务信息管理机构：")
    # A page break split this sentence after "结合我市实际，".
    assert "结合我市实际，制定《信阳市“充电桩报装一件事”实施方案》" in before_signature[1].text


def test_plan_headings(plan):
    headings = [b.label for b in plan.body if isinstance(b, Heading)]
    assert headings == [
        "信阳市“充电桩报装一件事”实施方案",
        "一、工作目标",
        "二、实施方式",
        "（一）服务对象",
        "（二）联办事项",
        "（三）办理方式",
        "三、任务分工",
        "四、工作要求",
        "（一）提高思想认识",
        "（二）强化协同推进",
        "（三）广泛宣传引导",
    ]
    joined = [b.text for b in plan.body if isinstance(b, Paragraph)]
    assert any("推动充电桩报装业务实现统一平台受理与信息共享。同时，建立动态" in t for t in joined)


def test_plan_attachments(plan):
    assert [(a.number, a.title) for a in plan.attachments] == [
        (1, "“充电桩报装一件事”工作专班"),
        (2, "“充电桩报装一件事”联办事项清单"),
        (3, "“充电桩报装一件事”联办申请表"),
        (4, "“充电桩报装一件事”办事指南"),
        (5, "“充电桩报装一件事”业务流程图"),
    ]
    assert plan.attachments[4].blocks == []  # the flow chart is an image


def test_material_list_has_22_rows_and_6_items(plan):
    (table,) = plan.attachments[1].blocks
    assert isinstance(table, Table) and table.kind == "list"
    assert table.header == ["序号", "部门", "事项名称", "申请材料", "材料类型及来源", "办理时限"]
    rows = table.body_rows
    assert len(rows) == 22
    assert [r[0] for r in rows] == [str(n) for n in range(1, 23)]
    assert all(len(r) == 6 and all(r[c] for c in range(6)) for r in rows)
    item = table.column("事项名称")
    assert list(dict.fromkeys(r[item] for r in rows)) == ITEMS
    counts = [sum(r[item] == name for r in rows) for name in ITEMS]
    assert counts == [4, 2, 2, 9, 4, 1]


def test_material_list_repairs_shifted_rows(plan):
    table = plan.attachments[1].blocks[0]
    by_no = {r[0]: r for r in table.body_rows}
    assert by_no["15"] == [
        "15",
        "市城管局",
        "占用、挖掘城市道路审批",
        "临时占用城市道路申请表（A B表）",
        "电子或原件扫描件",
        "1个工作日",
    ]
    assert by_no["18"][1:3] == ["市城管局", "工程建设涉及城市绿地、树木审批"]
    assert by_no["19"][3:] == [
        "工程建设涉及城市绿地、树木情况说明材料",
        "电子或原件扫描件",
        "1个工作日",
    ]
    assert by_no["21"][3] == "工程建设许可材料"
    assert by_no["22"][1:3] == ["市公安局", "影响交通安全占道施工审核"]
    assert by_no["22"][3].startswith("市政工程审批文件、交通组织方案、交通安全承诺书（注：对交通")
    assert by_no["22"][5] == "即办件"
    assert by_no["3"][4] == "原件" and by_no["12"][4] == "可容缺"


def test_material_list_merges(plan):
    table = plan.attachments[1].blocks[0]
    spans = {(m.row, m.col): m.rowspan for m in table.merges}
    starts_and_sizes = [(1, 4), (5, 2), (7, 2), (9, 9), (18, 4)]  # item 6 is one row
    expected = {(row, col): size for row, size in starts_and_sizes for col in (1, 2, 5)}
    assert spans == expected
    assert all(m.colspan == 1 for m in table.merges)


def test_application_form_is_a_readable_table(plan):
    (form,) = plan.attachments[2].blocks
    assert form.kind == "form"
    cells = [c for row in form.rows for c in row]
    assert "企业基本信息" in cells and "报装事项基本信息" in cells
    assert "☐ 自有 ☐ 租赁" in cells
    assert "_____年_____月_____日（非节假日） ☐ 上午 ☐ 下午" in cells
    assert not any("<input" in c for c in cells)
    assert sum(c.count("☐") for c in cells) >= 25


def test_service_guide_attachment(plan):
    blocks = plan.attachments[3].blocks
    headings = [b.label for b in blocks if isinstance(b, Heading)]
    assert headings == ["一、联办事项（6项）", "二、办理对象", "三、办理流程", "四、申请材料"]


def test_task_force_lines_are_not_merged(plan):
    texts = [b.text for b in plan.attachments[0].blocks]
    assert len(texts) == 9
    assert texts[0].startswith("组 长：")
    assert texts[-1].startswith("工作专班围绕")


# --------------------------------------------------------------------------- the guide


def test_guide_title_and_intro(guide):
    assert guide.title == "使用帮助"
    (intro,) = guide.intro
    assert intro.startswith("在河南省建设运营充电站")
    assert "需要和河南省充电智能服务平台对接" in intro  # 充电智 / 能 rejoined
    assert intro.endswith("请咨询当地相关部门。")
    assert [(r.working_days, r.remark) for r in guide.intro_review_times] == [(15, "高峰期顺延")]


def test_guide_sections_and_subsections(guide):
    assert [s.title for s in guide.sections] == [
        "如何进行账号注册及登录",
        "如何进行运营商注册申请",
        "如何申请建设补贴申请",
    ]
    assert [[sub.title for sub in s.subsections] for s in guide.sections] == [
        ["“充电设施运营商”用户账号注册", "“充电设施建设方”用户账号注册", "账号登录"],
        ["运营商注册需满足以下准入条件", "运营商注册申请流程"],
        ["互联互通接入", "建站资料", "建设补贴申请", "运营补贴申请"],
    ]


def test_guide_step_counts(guide):
    counts = {(s.title, sub.title): len(sub.steps) for s in guide.sections for sub in s.subsections}
    assert list(counts.values()) == [1, 1, 1, 0, 4, 2, 3, 3, 2]
    assert len(guide.sections[2].steps) == 2  # ① ② before the subsections


def test_registration_step(guide):
    (step,) = guide.sections[0].subsections[0].steps
    assert step.field_names[:3] == ["注册类型", "企业名称", "统一社会信用代码"]
    assert "运营执照扫描件" in step.field_names and "联系电话" in step.field_names
    assert step.formats == ["jpg", "png"]
    assert (step.review_time.working_days, step.review_time.remark) == (3, "高峰期顺延")
    assert step.notes[0].text.startswith("三证合一后的营业执照扫描件")


def test_interconnection_step(guide):
    sub = guide.sections[2].find("互联互通接入")
    one, two = sub.steps
    assert one.menu_path == "建设补贴-互联互通"
    assert len(one.fields) == 14
    assert {"接入平台的密钥", "签名密钥", "消息密钥初始化向量", "充电桩数量"} <= set(
        one.field_names
    )
    assert all(f.required for f in one.fields)
    assert one.notes and "【用户管理】-【资产管理】-【我的充电站】" in one.notes[0].text
    assert (two.review_time.working_days, two.review_time.remark) == (3, "高峰期顺延")


def test_station_data_steps(guide):
    one, two, three = guide.sections[2].find("建站资料").steps
    assert one.menu_path == "建设补贴-建站资料"
    assert one.formats == ["jpg", "png"]
    assert two.formats == ["jpg", "png", "pdf"]
    assert two.field_names == ["设备照片", "产品合格证", "竣工验收报告", "财务决算报告"]
    assert "NB/T 33004-2020 电动汽车充换电设施" in two.notes[0].text
    assert three.notes and three.notes[0].text.startswith("若查不到绑定的站点")


def test_subsidy_steps(guide):
    section = guide.sections[2]
    first, second = section.steps
    assert first.notes == [Note("note", "要保证推送的站点信息与实际的站点信息一致")]
    assert second.menu_path == "用户管理-资产管理-我的充电站"
    one, two, three = section.find("建设补贴申请").steps
    assert one.menu_path == "建设补贴-补贴申请"
    assert (one.review_time.working_days, one.review_time.remark) == (5, "高峰期顺延")
    assert two.field_names[:2] == ["设备种类", "设备数量"]
    assert "开票日期" in two.field_names
    assert three.notes[0].text.startswith("①补贴数据填写有误")


def test_operation_subsidy_menu(guide):
    one, _two = guide.sections[2].find("运营补贴申请").steps
    assert one.menu_path == "运营补贴-运营补贴申请"


def test_admission_conditions_stay_a_list(guide):
    sub = guide.sections[1].subsections[0]
    (conditions,) = sub.content
    assert isinstance(conditions, ItemList) and len(conditions.items) == 5
    assert "注册资金不少于1000万元" in conditions.items[0]


def test_warnings_close_each_section(guide):
    for section, count in zip(guide.sections, (2, 1, 3), strict=True):
        warning = section.content[-1]
        assert isinstance(warning, Note) and warning.kind == "warning"
        assert len(warning.items) == count
        assert warning.items[-1] == "带“*”的为必填项。"


def test_all_review_times(guide):
    days = [s.review_time.working_days for s in guide.all_steps() if s.review_time]
    assert sorted(days) == [3, 3, 3, 5]


def test_no_step_keeps_a_note_in_its_text(guide):
    for step in guide.all_steps():
        assert "（注：" not in step.text
        assert isinstance(step.text, str) and step.text


def test_guide_sections_contain_step_lists(guide):
    section = guide.sections[2]
    assert isinstance(section.content[0], Paragraph)
    assert isinstance(section.content[1], StepList)
