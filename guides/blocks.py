"""Blocks of a help guide: sections, numbered steps, fields to fill, formats, notes."""

from wagtail import blocks

from cms.blocks import anchor_block

RICH = ["bold", "italic", "link", "ol", "ul"]


class FieldToFillBlock(blocks.StructBlock):
    name = blocks.CharBlock(label="字段名称")
    required = blocks.BooleanBlock(label="必填", required=False, default=True)
    hint = blocks.CharBlock(label="填写说明", required=False)

    class Meta:
        icon = "form"
        label = "填写字段"


class NoteBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label="类型",
        choices=[("note", "注"), ("warning", "注意事项")],
        default="note",
        search_index=False,
    )
    text = blocks.RichTextBlock(label="内容", features=RICH)

    class Meta:
        icon = "warning"
        label = "注意事项"
        template = "guides/blocks/note.html"


class ReviewTimeBlock(blocks.StructBlock):
    """审核时限 callout, e.g. 3 个工作日，高峰期顺延."""

    working_days = blocks.IntegerBlock(label="工作日", min_value=0)
    remark = blocks.CharBlock(label="说明", required=False, default="高峰期顺延")

    class Meta:
        icon = "time"
        label = "审核时限"
        template = "guides/blocks/review_time.html"


class StepBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label="操作说明", features=RICH)
    menu_path = blocks.CharBlock(
        label="菜单路径", required=False, help_text="例如 建设补贴-互联互通"
    )
    fields = blocks.ListBlock(FieldToFillBlock(), label="需填写的字段", default=[])
    formats = blocks.ListBlock(blocks.CharBlock(label="格式"), label="接受的文件格式", default=[])
    notes = blocks.ListBlock(NoteBlock(), label="注", default=[])
    review_time = blocks.ListBlock(ReviewTimeBlock(), label="审核时限", default=[], max_num=1)

    class Meta:
        icon = "list-ol"
        label = "步骤"


class SectionContentBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label="段落", features=RICH)
    steps = blocks.ListBlock(StepBlock(), label="步骤")
    note = NoteBlock()
    review_time = ReviewTimeBlock()


class SubsectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="小节标题")
    anchor = anchor_block()
    content = SectionContentBlock(label="内容", required=False)

    class Meta:
        icon = "folder-inverse"
        label = "小节"


class SectionContentWithSubsectionsBlock(SectionContentBlock):
    subsection = SubsectionBlock()


class SectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="章节标题")
    anchor = anchor_block()
    content = SectionContentWithSubsectionsBlock(label="内容", required=False)

    class Meta:
        icon = "doc-full"
        label = "章节"
