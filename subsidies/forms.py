"""The admin form of a rule set: 可补贴设备种类 as checkboxes over the invoice kinds."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from applications.models import InvoiceLine


class RuleSetForm(WagtailAdminModelForm):
    eligible_equipment = forms.MultipleChoiceField(
        label="可补贴设备种类",
        choices=InvoiceLine.Equipment.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="发票明细中计入建设补贴的设备种类。",
    )

    def clean(self):
        data = super().clean()
        seen = set()
        formset = getattr(self, "formsets", {}).get("ratios")
        for form in formset.forms if formset is not None else []:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("station_type"), form.cleaned_data.get("construction"))
            if key in seen:
                form.add_error("construction", "同一站点类型和建设场所只能设置一个奖补比例。")
            seen.add(key)
        return data
