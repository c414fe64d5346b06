"""StreamField blocks for policy documents: body text, tables, signatures, attachments."""

from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock

from cms.blocks import anchor_block

TABLE_OPTIONS = {"mergeCells": True, "contextMenu": True, "startRows": 3, "startCols": 4}


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="标题")
    level = blocks.ChoiceBlock(
        label="层级",
        choices=[("2", "一级（一、）"), ("3", "二级（（一））"), ("4", "三级（1.）")],
        default="2",
        search_index=False,
    )
    anchor = anchor_block()

    class Meta:
        icon = "title"
        label = "标题"
        template = "policies/blocks/heading.html"


class SignatureBlock(blocks.StructBlock):
    """落款: the issuing bodies and the date written at the end of a notice."""

    bodies = blocks.ListBlock(blocks.CharBlock(label="机关"), label="落款机关")
    date = blocks.DateBlock(label="成文日期", required=False)

    class Meta:
        icon = "edit"
        label = "落款"
        template = "policies/blocks/signature.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label="段落", features=["bold", "italic", "link", "ol", "ul", "document-link"]
    )
    table = TableBlock(label="表格", table_options=TABLE_OPTIONS)
    signature = SignatureBlock()

    class Meta:
        label = "正文"


class AttachmentContentBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label="段落", features=["bold", "italic", "link", "ol", "ul"])
    table = TableBlock(label="表格", table_options=TABLE_OPTIONS)
    document = DocumentChooserBlock(label="文件")


class AttachmentBlock(blocks.StructBlock):
    """附件N: a structured table, rich text or an uploaded file; numbered by position."""

    title = blocks.CharBlock(label="附件名称")
    content = AttachmentContentBlock(label="附件内容", required=False)

    class Meta:
        icon = "doc-full"
        label = "附件"
        template = "policies/blocks/attachment.html"


class AttachmentsBlock(blocks.StreamBlock):
    attachment = AttachmentBlock()
