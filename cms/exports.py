"""Spreadsheet cells that never run as formulas (CSV / formula injection).

A text cell starting with = + - @ tab or carriage return is prefixed with an
apostrophe, so Excel and WPS show it as text. `neutralise()` is used by every CSV the
project writes: the portal's order export and, through `install()` (called once at
start-up), Wagtail's SpreadsheetExportMixin, which writes the review list export and
the admin reports. Wagtail's XLSX writer already stores such values as text.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` made safe for a spreadsheet cell; non-text values are returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def install() -> None:
    if getattr(SpreadsheetExportMixin, "_formula_safe", False):
        return
    original = SpreadsheetExportMixin.preprocess_field_value

    def preprocess_field_value(self, field, value, export_format):
        value = original(self, field, value, export_format)
        return neutralise(value) if export_format == self.FORMAT_CSV else value

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin._formula_safe = True
