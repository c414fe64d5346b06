"""Blocks shared by more than one app."""

from wagtail import blocks


def anchor_block():
    """An optional, editor-set anchor; empty means "derive it from the position"."""
    return blocks.CharBlock(
        label="锚点", required=False, help_text="留空则按位置自动生成", search_index=False
    )
