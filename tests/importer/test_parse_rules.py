"""Parser rules, one at a time, on small texts written for these tests."""

import datetime as dt
from pathlib import Path

import pytest

from importer.parse import (
    Heading,
    Item,
    ItemList,
    Note,
    Paragraph,
    ReviewTime,
    Signature,
    StepList,
    Table,
    build_table,
    clean_cell,
    extract_fields,
    extract_formats,
    extract_menu_path,
    extract_notes,
    extract_review_times,
    extract_step,
    join_lines,
    normalize_checkboxes,
    parse_date,
    parse_document,
    parse_guide,
    squeeze_cjk_spaces,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def notice():
    return parse_document((FIXTURES / "notice.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guide():
    return parse_guide((FIXTURES / "guide.txt").read_text(encoding="utf-8"))


def kinds(blocks):
    return [type(b).__name__ for b in blocks]


# --------------------------------------------------------------------------- headings


def test_heading_levels_and_item_styles():
    doc = parse_document(
        "标题\n一、总体安排\n（一）第一阶段\n(二) 第二阶段\n1. 第一项\n（1）第一点\n①第一步\n"
    )
    assert doc.title == "标题"
    h1, h2, h3, i1, i2, i3 = doc.body
    assert (h1.level, h1.number, h1.text, h1.label) == (1, 1, "总体安排", "一、总体安排")
    assert (h2.level, h2.number, h2.text) == (2, 1, "第一阶段")
    assert (h3.level, h3.number, h3.label) == (2, 2, "（二）第二阶段")  # ASCII parens too
    assert (i1.style, i1.number, i1.text) == ("arabic", 1, "第一项")
    assert (i2.style, i2.number) == ("paren", 1)
    assert (i3.style, i3.number, i3.text) == ("circled", 1, "第一步")


def test_heading_numbers_above_ten():
    doc = parse_document("标题\n十二、其他事项\n")
    assert doc.body == [Heading(1, "其他事项", 12)]
    assert doc.body[0].label == "十二、其他事项"


def test_heading_trailing_punctuation_is_dropped():
    doc = parse_document("标题\n三、如何办理备案。\n（一）需满足的条件:\n")
    assert [b.text for b in doc.body] == ["如何办理备案", "需满足的条件"]


def test_run_in_heading_is_split_from_its_paragraph(notice):
    index = notice.body.index(Heading(2, "材料齐全", 1))
    assert notice.body[index + 1] == Paragraph("申请人应一次提交全部材料，窗口不得另设条件。")


# --------------------------------------------------------------------------- joining


def test_join_lines_chinese_without_spaces_latin_with_one():
    assert join_lines(["开通账户前请准备", "好证照"]) == "开通账户前请准备好证照"
    assert join_lines(["see the", "manual"]) == "see the manual"
    assert join_lines(["标准 NB/T 1234-", "2020 规范"]) == "标准 NB/T 1234-2020 规范"


def test_wrapped_lines_and_page_break_are_rejoined(guide):
    # The intro wraps at the page width and a page break splits 经办 / 人.
    assert guide.intro == [
        "本平台用于办理换电站的备案登记与运营补助，材料提交后请耐心等待审核（10个工作日，"
        "节假日顺延），审核结果将以短信方式通知经办人，请保持预留手机畅通并及时登录平台查看"
        "办理结果和补正意见。"
    ]


def test_comma_at_line_end_joins_across_blank_lines(notice):
    assert (
        Paragraph(
            "现将《洛阳市“换电站备案一站办”工作规程》转发给你们，请结合本地实际，认真抓好落实。"
        )
        in notice.body
    )


def test_sentence_end_or_marker_ends_a_paragraph():
    text = (
        "标题\n"
        "这是一段足够长的说明文字，用来确定页面的宽度，并且以句号结束。\n"
        "这是第二段，同样写得足够长，用来确定页面宽度，它没有句号结束\n"
        "1. 第一项\n"
    )
    doc = parse_document(text)
    assert kinds(doc.body) == ["Paragraph", "Paragraph", "Item"]


def test_short_line_without_punctuation_stands_alone():
    text = (
        "标题\n"
        "这一行写得很长很长，是一段正常的正文，用来让解析器知道整页的行宽是多少。\n"
        "组 长：张 三 某某局局长\n"
        "李 四 某某局副局长\n"
    )
    doc = parse_document(text)
    assert [b.text for b in doc.body][1:] == ["组 长：张 三 某某局局长", "李 四 某某局副局长"]


def test_open_bracket_keeps_inline_markers_in_the_paragraph():
    text = "标题\n3.点击提交。（注：\n①第一点；\n②第二点）\n4.完成。\n"
    doc = parse_document(text)
    assert doc.body == [
        Item("arabic", 3, "点击提交。（注：①第一点；②第二点）"),
        Item("arabic", 4, "完成。"),
    ]


# --------------------------------------------------------------------------- front matter


def test_document_number_bodies_date_and_split_title(notice):
    assert notice.document_number == "洛发改〔2023〕57号"  # [] normalised to 〔〕
    assert notice.issuers == ["洛阳市发展和改革委员会", "洛阳市住房和城乡建设局"]
    assert notice.title == "关于转发《洛阳市“换电站备案一站办”工作规程》的通知"
    assert notice.written_date == dt.date(2023, 5, 8)
    assert notice.signature == Signature(
        ["洛阳市发展和改革委员会", "洛阳市住房和城乡建设局"], dt.date(2023, 5, 8)
    )
    assert notice.body[0] == Paragraph("各县（市、区）发展改革部门，住房城乡建设部门：")


def test_enclosed_document_title_becomes_a_heading(notice):
    index = notice.body.index(notice.signature)
    assert notice.body[index + 1] == Heading(0, "洛阳市“换电站备案一站办”工作规程")


def test_parse_date_arabic_and_chinese_numerals():
    assert parse_date("2023年5月8日") == dt.date(2023, 5, 8)
    assert parse_date("二〇二三年十二月二十一日") == dt.date(2023, 12, 21)
    assert parse_date("2023年5月8日前提交") is None


def test_signature_without_masthead_gives_issuers():
    doc = parse_document("标题\n请各单位遵照执行。\n\n某某市交通运输局\n\n2022年3月1日\n")
    assert doc.issuers == ["某某市交通运输局"]
    assert doc.written_date == dt.date(2022, 3, 1)


# --------------------------------------------------------------------------- attachments


def test_attachment_sections_with_titles(notice):
    assert notice.attachment_titles == {
        1: "“换电站备案一站办”事项清单",
        2: "“换电站备案一站办”申请表",
        3: "“换电站备案一站办”流程图",
    }
    assert [(a.number, a.title) for a in notice.attachments] == list(
        notice.attachment_titles.items()
    )
    assert kinds(notice.attachments[0].blocks) == ["Table"]
    assert kinds(notice.attachments[1].blocks) == ["Table"]
    # No "附件 3" line: found by its listed title; the picture is not in the text.
    assert notice.attachments[2].blocks == []
    # The 附件 list is attachment metadata, not body text.
    assert not any("附件" in getattr(b, "text", "") for b in notice.body)


def test_attachment_title_inline_and_listed_only():
    doc = parse_document("标题\n正文。\n附件：1.名单\n2.地图\n附件1：名单\n张三\n")
    assert [(a.number, a.title, a.blocks) for a in doc.attachments] == [
        (1, "名单", [Paragraph("张三")]),
        (2, "地图", []),
    ]


# --------------------------------------------------------------------------- tables


def test_shifted_table_cells_are_realigned_and_carried_down(notice):
    table = notice.attachments[0].blocks[0]
    assert table.kind == "list"
    assert table.header == ["序号", "单位", "事项", "材料", "来源", "时限"]
    assert table.body_rows == [
        ["1", "市发展改革委", "项目备案", "备案申请书", "申请人提交", "2个工作日"],
        ["2", "市发展改革委", "项目备案", "项目说明", "申请人提交", "2个工作日"],
        ["3", "市住建局", "施工许可", "施工合同", "电子证照", "即办件"],
        ["4", "市住建局", "施工许可", "安全措施", "申请人提交", "即办件"],
        ["5", "市住建局", "施工许可", "监理合同", "电子证照", "即办件"],
        ["6", "市住建局", "消防设计审查", "设计图纸", "申请人提交", "3个工作日"],
        ["7", "市住建局", "消防设计审查", "消防说明材料", "申请人提交", "3个工作日"],
    ]


def test_merged_cells_span_each_group(notice):
    table = notice.attachments[0].blocks[0]
    spans = {(m.row, m.col): (m.rowspan, m.colspan) for m in table.merges}
    # header is row 0; groups: rows 1-2, 3-5, 6-7; columns 单位 / 事项 / 时限
    assert spans == {(r, c): (n, 1) for r, n in ((1, 2), (3, 3), (6, 2)) for c in (1, 2, 5)}


def test_table_rows_with_values_only_are_untouched():
    table = build_table(
        [["序号", "名称", "数量"], ["1", "甲", "2"], ["2", "乙", "3"], ["3", "丙", "4"]]
    )
    assert table.body_rows == [["1", "甲", "2"], ["2", "乙", "3"], ["3", "丙", "4"]]
    assert table.merges == []


def test_stray_spaces_between_han_removed_but_form_blanks_kept():
    assert squeeze_cjk_spaces("工程 涉及 城市绿地、 树木 审批") == "工程涉及城市绿地、树木审批"
    assert clean_cell("社会信用代码 （营业执照）") == "社会信用代码（营业执照）"
    assert clean_cell("申请表（A B表）") == "申请表（A B表）"
    assert clean_cell("长 米， 宽 米， 面积 平方") == "长 米，宽 米，面积 平方"


def test_checkboxes_become_readable_choices():
    text = '<input type="checkbox"/> 自有 <input type="checkbox" checked/>租赁'
    assert normalize_checkboxes(text).strip() == "☐ 自有 ☑ 租赁"
    # In a cell of choices the space between two labels is kept.
    assert clean_cell(normalize_checkboxes('<input type="checkbox"/> 其他 容量：')) == (
        "☐ 其他 容量："
    )


def test_form_table_grid_and_spans(notice):
    form = notice.attachments[1].blocks[0]
    assert isinstance(form, Table) and form.kind == "form" and form.header_rows == 0
    assert form.rows == [
        ["单位基本信息", "单位名称", "", "经营性质", "☐ 国有 ☐ 民营"],
        ["", "联系人", "", "电话", ""],
        ["☐ 需要上门踏勘（选填）", "", "", "", ""],
        ["占地面积", "", "长 米，宽 米", "", ""],
    ]
    spans = {(m.row, m.col): (m.rowspan, m.colspan) for m in form.merges}
    assert spans == {(0, 0): (2, 1), (1, 3): (1, 2), (2, 0): (1, 5), (3, 2): (1, 3)}


# --------------------------------------------------------------------------- notes


def test_extract_notes_nested_parentheses():
    text, notes = extract_notes("提交材料（注：须加盖公章（骑缝章））。然后等待。")
    assert text == "提交材料。然后等待。"
    assert notes == [Note("note", "须加盖公章（骑缝章）")]


def test_notice_label_with_items_is_a_warning(guide):
    section = guide.sections[0]
    assert section.content[-1] == Note(
        "warning",
        items=["账号仅限本单位使用，不得转借他人。", "带“*”的为必填项。"],
        label="注意事项",
    )
    # Hoisted to the section: the 注意事项 speak for all its subsections.
    assert all(not isinstance(c, Note) for c in section.subsections[-1].content)


def test_standalone_note_after_a_step_belongs_to_it():
    text = "标题\n一、办理\n1.点击“确定”，完成提交。\n（注：提交后不能修改）\n"
    step = parse_guide(text).sections[0].steps[0]
    assert step.notes == [Note("note", "提交后不能修改")]


# --------------------------------------------------------------------------- steps


def test_formats_in_every_spelling():
    assert extract_formats("附件格式：.jpg .png）") == ["jpg", "png"]
    assert extract_formats("照片，格式：JPG、png；证书，格式：pdf；") == ["jpg", "png", "pdf"]
    assert extract_formats("检查发票格式是否一致") == []


def test_review_times():
    assert extract_review_times("等待审核（3个工作日，高峰期顺延）") == [
        ReviewTime(3, "高峰期顺延")
    ]
    (review,) = extract_review_times("等待审核（4个工作日，节假日顺延）。")
    assert (review.working_days, review.remark) == (4, "节假日顺延")
    (review,) = extract_review_times("审核需要12个工作日。")
    assert (review.working_days, review.remark) == (12, "")
    (review,) = extract_review_times("8个工作日，并通知申请人")
    assert review.remark == ""  # not a remark about the time limit


def test_fields_after_fill_and_choose_verbs():
    fields = extract_fields(
        "准确填写“单位名称”、“地址”和选择“行业”，“规模”等信息，点击“保存”，上传“照片”。"
    )
    assert [f.name for f in fields] == ["单位名称", "地址", "行业", "规模", "照片"]
    assert all(f.required for f in fields)
    (field,) = extract_fields("账户类型选择“个人账户”。")
    assert (field.name, field.hint) == ("账户类型", "选择“个人账户”")


def test_menu_paths():
    assert extract_menu_path("打开菜单：系统管理-用户设置，点击") == "系统管理-用户设置"
    assert extract_menu_path("1.打开菜单，报表-月报，下载") == "报表-月报"
    assert extract_menu_path("进入【站点】-【设备】-【详情】查看") == "站点-设备-详情"
    assert extract_menu_path("点击【保存】按钮") == ""


def test_extract_step_takes_notes_and_review_out_of_the_text():
    step = extract_step(
        "上传“证照”，等待审核（5个工作日，节假日顺延）。（注：附件格式：.pdf）", number=2
    )
    assert step.text == "上传“证照”，等待审核。"
    assert step.number == 2
    assert step.field_names == ["证照"]
    assert step.formats == ["pdf"]
    assert (step.review_time.working_days, step.review_time.remark) == (5, "节假日顺延")
    assert step.notes == [Note("note", "附件格式：.pdf")]


def test_guide_tree(guide):
    assert guide.title == "操作指南"
    assert [s.title for s in guide.sections] == ["如何开通单位账户", "如何申报运营补助"]
    first, second = guide.sections
    assert [s.title for s in first.subsections] == ["单位账户开通", "登录"]
    assert [s.title for s in second.subsections] == ["补助申报", "申报条件"]
    assert [r.working_days for r in guide.intro_review_times] == [10]


def test_unnumbered_instruction_with_fields_is_one_step(guide):
    (step,) = guide.sections[0].subsections[0].steps
    assert step.number is None
    assert step.field_names == ["账户类型", "单位全称", "信用代码", "经办人姓名"]
    assert step.formats == ["pdf", "ofd"]
    assert (step.review_time.working_days, step.review_time.remark) == (2, "节假日顺延")


def test_circled_steps_before_subsections(guide):
    section = guide.sections[1]
    assert isinstance(section.content[0], Paragraph)  # 申报步骤：
    assert isinstance(section.content[1], StepList)
    first, second = section.steps
    assert (first.number, second.number) == (1, 2)
    assert first.notes == [Note("note", "未登记的站点无法申报")]
    assert second.menu_path == "站点中心-我的站点"
    assert second.text.endswith("核对站点的名称、地址和设备数量。")


def test_menu_paragraph_gives_menu_to_first_step(guide):
    sub = guide.sections[1].subsections[0]
    assert sub.content[0] == Paragraph("打开菜单：补助管理-新增申报，点击“新增”，进入申报界面。")
    one, two = sub.steps
    assert one.menu_path == "补助管理-新增申报" and two.menu_path == ""
    assert one.field_names == ["站点名称", "投运日期", "申报金额", "竣工照片"]
    assert one.formats == ["jpg", "jpeg"]
    assert (two.review_time.working_days, two.review_time.remark) == (7, "")


def test_paren_items_stay_a_readable_list(guide):
    sub = guide.sections[1].subsections[1]
    assert sub.content == [ItemList(["站点已连续运营满六个月。", "近一年内无安全事故。"])]


def test_items_are_not_steps_in_a_policy(notice):
    items = [b for b in notice.body if isinstance(b, Item)]
    assert [(i.number, i.text[:4]) for i in items] == [(1, "网上申报"), (2, "窗口申报")]
