"""One way to show the per-type detail of an application, for all three front ends:
the portal (`detail_rows`, `form_groups`), the review admin (`detail_facts`) and the
API (`detail_data`). Secrets (encrypted fields) are only ever shown masked.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from catalogue.models import ApplicationKind
from cms.crypto import EncryptedTextField, mask

from .forms import DETAIL_FORMS
from .models import Interconnection, Station

# Field groups of the longer forms; other types show one group.
FIELDSETS = {
    ApplicationKind.OPERATOR_REGISTRATION: [
        (
            "企业基本信息",
            [
                "company_name",
                "registered_capital",
                "registered_on",
                "total_assets",
                "legal_representative",
                "industry",
                "registration_type",
                "service_scope",
            ],
        ),
        (
            "联系方式",
            [
                "postcode",
                "phone",
                "fax",
                "email",
                "registered_address",
                "mailing_address",
            ],
        ),
        ("服务平台", ["platform_name", "software_copyright_number"]),
    ],
    ApplicationKind.INTERCONNECTION: [
        (
            "平台信息",
            [
                "platform_operator",
                "builder",
                "builder_address",
                "platform_name",
                "scope",
                "station_count",
                "pile_count",
            ],
        ),
        ("联调人员", ["liaison", "engineer", "engineer_phone"]),
        ("对接密钥", list(Interconnection.SECRET_FIELDS)),
    ],
    ApplicationKind.JOINT_INSTALLATION: [
        ("企业基本信息", ["applicant_name", "tenure", "contact_name", "contact_phone"]),
        ("报装事项基本信息", ["address", "business", "survey_date", "survey_half_day"]),
        ("用电报装", ["power_use", "capacity_kva", "expected_power_date"]),
        (
            "项目基本信息（外线施工联审）",
            [
                "project_code",
                "construction_address",
                "construction_company",
                "construction_contact",
                "works_description",
                "occupation_reason",
                "occupation_start",
                "occupation_end",
                "road_type",
                "road_name",
                "road_address",
            ],
        ),
        (
            "占用绿地",
            ["green_address", "green_nature", "green_length_m", "green_width_m"],
        ),
        ("送达方式", ["delivery", "postal_address"]),
    ],
}


def own_fields(obj) -> list:
    """The detail's own columns (not its id or the application it belongs to)."""
    return [f for f in obj._meta.concrete_fields if f.name not in ("id", "application")]


def is_secret(obj, field) -> bool:
    return isinstance(field, EncryptedTextField) or field.name in getattr(
        type(obj), "SECRET_FIELDS", ()
    )


def masked(value) -> str:
    return mask(str.__str__(value)) if value else ""


def field_text(obj, field) -> str:
    """The value of one field as a person reads it; "—" when empty."""
    value = getattr(obj, field.name)
    if is_secret(obj, field):
        return masked(value) or "—"
    if field.choices and value not in (None, ""):
        return getattr(obj, f"get_{field.name}_display")() or "—"
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


# --- portal: the fields of the form, in its fieldsets -------------------------------


def grouped(kind, names, make):
    groups = FIELDSETS.get(kind) or [("基本信息", names)]
    result, seen = [], set()
    for legend, group_names in groups:
        members = [make(n) for n in group_names if n in names]
        seen.update(n for n in group_names if n in names)
        if members:
            result.append({"legend": legend, "fields": members})
    rest = [make(n) for n in names if n not in seen]
    if rest:
        result.append({"legend": "其他信息", "fields": rest})
    return result


def detail_rows(application):
    """The saved detail as fieldsets of (label, shown value); secrets masked."""
    obj = application.detail
    form_class = DETAIL_FORMS.get(application.kind)
    if obj is None or form_class is None:
        return []
    names = list(form_class._meta.fields)

    def make(name):
        field = obj._meta.get_field(name)
        return {"label": field.verbose_name, "value": field_text(obj, field)}

    return grouped(application.kind, names, make)


def form_groups(application, form):
    return grouped(application.kind, list(form.fields), lambda name: form[name])


# --- review admin: every own field, plus what is derived ----------------------------


def detail_facts(detail) -> list[tuple[str, str]]:
    """(label, text) for every own field of a per-type record; secrets masked."""
    if detail is None:
        return []
    facts = []
    for field in own_fields(detail):
        facts.append((str(field.verbose_name), field_text(detail, field)))
    area = getattr(detail, "green_area_m2", None)
    if area is not None:
        facts.append(("占用面积（平方米）", str(area)))
    return facts


# --- API: JSON values -----------------------------------------------------------------


def plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def detail_data(obj) -> dict | None:
    """The per-type detail as {field name: value}; encrypted fields only ever masked."""
    if obj is None:
        return None
    data = {}
    for field in own_fields(obj):
        value = getattr(obj, field.attname)
        data[field.name] = masked(value) if is_secret(obj, field) else plain(value)
    station = getattr(obj, "station", None)
    if isinstance(station, Station):
        data["station_name"] = station.name
    return data
