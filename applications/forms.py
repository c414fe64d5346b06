"""Forms for each application type. The web views render them and the HTTP API feeds
its JSON through them, so field rules and their Chinese messages are written once."""

import unicodedata

from django import forms
from django.db import transaction

from catalogue.models import ApplicationKind
from interconnect.health import station_rows

from . import hooks
from .models import (
    ConstructionSubsidy,
    Interconnection,
    InvoiceLine,
    JointInstallation,
    OperationSubsidy,
    OperatorRegistration,
    Station,
    StationDossier,
    Technician,
)
from .rules import dossier_is_complete
from .workflow import (
    StateConflict,
    WorkflowError,
    lock,
    reopen_approved,
    require_applicant_may_act,
    require_dossier_station_free,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def own_fields(model, *skip: str) -> list[str]:
    """The model's editable fields in declaration order, minus the links set in code."""
    skip = {"id", "application", *skip}
    return [f.name for f in model._meta.concrete_fields if f.editable and f.name not in skip]


class DetailForm(forms.ModelForm):
    """A per-type form bound to one application; `save()` attaches it."""

    def __init__(self, *args, application=None, **kwargs):
        self.application = application
        if application is not None and "instance" not in kwargs:
            kwargs["instance"] = application.detail
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE
                field.input_formats = ["%Y-%m-%d"]
                field.error_messages["invalid"] = "日期格式应为 年-月-日，例如 2026-11-21。"

    def save(self, commit=True):
        obj = super().save(commit=False)
        obj.application = self.application
        if commit:
            obj.save()
            self.save_m2m()
        return obj


class OperatorRegistrationForm(DetailForm):
    class Meta:
        model = OperatorRegistration
        fields = own_fields(OperatorRegistration)


class TechnicianForm(forms.ModelForm):
    class Meta:
        model = Technician
        fields = ["name", "phone", "certificate_number"]


class InterconnectionForm(DetailForm):
    """The four secrets are write-only: shown masked, left blank to keep the stored value."""

    class Meta:
        model = Interconnection
        fields = own_fields(Interconnection)
        widgets = {
            name: forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
            for name in Interconnection.SECRET_FIELDS
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.pk is not None
        for name in Interconnection.SECRET_FIELDS:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
            if stored:
                field.required = False
                value = getattr(self.instance, name)
                field.help_text = f"已保存（{value.masked if value else '空'}）；留空则保持不变。"
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            for name in Interconnection.SECRET_FIELDS:
                if not data.get(name):
                    data[name] = getattr(self.instance, name)
        return data


class StationDossierForm(DetailForm):
    class Meta:
        model = StationDossier
        fields = own_fields(StationDossier, "station")

    def clean(self):
        data = super().clean()
        started, completed = data.get("started_on"), data.get("completed_on")
        if started and completed and completed < started:
            self.add_error("completed_on", "完工时间不能早于开工时间。")
        return data


class StationLabels:
    """A station as the 建设补贴 station step names it: 站点类型 · 建设场所 (in words, as
    the operator platform pushed them) · 数据正常 or 互联互通数据异常; the health of all the
    applicant's stations is read once, when the choices are first rendered."""

    def __init__(self, applicant):
        self.applicant, self.health = applicant, None

    def __call__(self, station) -> str:
        if self.health is None:
            rows = station_rows(self.applicant) if self.applicant else []
            self.health = {row["station"].pk: row["health"] for row in rows}
        facts = [station.get_station_type_display(), station.get_construction_display()]
        facts.append(self.health.get(station.pk, ""))
        return f"{station.name}（{' · '.join(f for f in facts if f)}）"


class ConstructionSubsidyForm(DetailForm):
    class Meta:
        model = ConstructionSubsidy
        fields = own_fields(ConstructionSubsidy)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        applicant = self.application.applicant if self.application else None
        self.fields["station"].queryset = Station.objects.filter(owner=applicant)
        self.fields["station"].error_messages["invalid_choice"] = "请选择您自己的充电站。"
        self.fields["station"].label_from_instance = StationLabels(applicant)

    def clean_station(self):
        station = self.cleaned_data["station"]
        if not dossier_is_complete(station):
            raise forms.ValidationError(
                f"充电站“{station.name}”还没有完成建站资料录入，完成后才能申请建设补贴。"
            )
        return station

    def clean_subsidy_year(self):
        year = self.cleaned_data["subsidy_year"]
        if not 2015 <= year <= 2100:
            raise forms.ValidationError("请填写正确的补贴年度，例如 2026。")
        return year


class InvoiceLineForm(forms.ModelForm):
    # Longer than the stored values: spaces and full-width digits are removed first
    # (the model's validators then check the cleaned number and code).
    invoice_number = forms.CharField(label="发票号码", max_length=60)
    invoice_code = forms.CharField(label="发票代码", max_length=40, required=False)

    class Meta:
        model = InvoiceLine
        fields = own_fields(InvoiceLine, "subsidy", "invoice_file")
        widgets = {"issued_on": DATE}

    def _clean_digits(self, name: str) -> str:
        # NFKC first: full-width digits (２０２６…) and spaces copied from a scan
        value = unicodedata.normalize("NFKC", self.cleaned_data.get(name) or "")
        return "".join(value.split())

    def clean_invoice_number(self):
        return self._clean_digits("invoice_number")

    def clean_invoice_code(self):
        return self._clean_digits("invoice_code")

    def clean(self):
        data = super().clean()
        used, amount = data.get("used_amount"), data.get("invoice_amount")
        if used is not None and amount is not None and used > amount:
            self.add_error("used_amount", "使用金额不能大于发票金额。")
        if data.get("equipment") in InvoiceLine.PILES and not data.get("power_kw"):
            self.add_error("power_kw", "充电桩请填写单台设备功率（kW）。")
        number, code = data.get("invoice_number") or "", data.get("invoice_code") or ""
        if len(number) == 20 and code:
            self.add_error(
                "invoice_code", "20 位发票号码的数电票（全电发票）没有发票代码，请留空。"
            )
        return data


class OperationSubsidyForm(DetailForm):
    class Meta:
        model = OperationSubsidy
        fields = own_fields(OperationSubsidy)


class JointInstallationForm(DetailForm):
    class Meta:
        model = JointInstallation
        fields = own_fields(JointInstallation)
        widgets = {"works_description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        start, end = data.get("occupation_start"), data.get("occupation_end")
        if start and end and end < start:
            self.add_error("occupation_end", "占用结束日期不能早于开始日期。")
        if data.get("delivery") == JointInstallation.Delivery.POST and not data.get(
            "postal_address"
        ):
            self.add_error("postal_address", "送达方式为邮寄，请填写邮寄地址。")
        return data


DETAIL_FORMS = {
    ApplicationKind.OPERATOR_REGISTRATION: OperatorRegistrationForm,
    ApplicationKind.INTERCONNECTION: InterconnectionForm,
    ApplicationKind.STATION_DOSSIER: StationDossierForm,
    ApplicationKind.CONSTRUCTION_SUBSIDY: ConstructionSubsidyForm,
    ApplicationKind.OPERATION_SUBSIDY: OperationSubsidyForm,
    ApplicationKind.JOINT_INSTALLATION: JointInstallationForm,
}


def detail_form(application, data=None):
    """The bound or unbound detail form of an application, or None for types without one."""
    form_class = DETAIL_FORMS.get(application.kind)
    return form_class(data, application=application) if form_class else None


def form_errors(form) -> dict[str, list[str]]:
    """{'field label or __all__': [Chinese messages]} for JSON answers."""
    errors = {}
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else "__all__"
        errors[str(label)] = [str(m) for m in messages]
    return errors


@transaction.atomic
def save_detail(application, data, *, user=None):
    """Validate and save the detail of an editable application; returns (obj, form)."""
    require_applicant_may_act(application)
    if not lock(application).is_editable:
        raise WorkflowError("申请已提交，当前不能修改；如需修改，请先撤回申请。")
    require_dossier_station_free(application)
    form = detail_form(application, data)
    if form is None or not form.is_valid():
        return None, form
    problems = hooks.detail_problems(application, form.instance)
    if problems:
        raise StateConflict(problems)
    if form.instance.pk and form.has_changed():
        # The form is shared by every department of the application.
        reopen_approved(application, user=user, note="修改申请表")
    obj = form.save()
    if application.kind in (ApplicationKind.STATION_DOSSIER,):
        application.title = obj.station_name
    elif application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        application.title = f"{obj.station.name}（{obj.subsidy_year}年度）"
    elif application.kind == ApplicationKind.OPERATION_SUBSIDY:
        application.title = f"{obj.year}年度运营补贴"
    elif application.kind == ApplicationKind.JOINT_INSTALLATION:
        application.title = obj.address
    elif application.kind == ApplicationKind.OPERATOR_REGISTRATION:
        application.title = obj.company_name
    elif application.kind == ApplicationKind.INTERCONNECTION:
        application.title = obj.platform_name
    application.save(update_fields=["title", "updated_at"])
    return obj, form
