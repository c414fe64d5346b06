"""Load the bundled service catalogue (catalogue/data/catalogue.json).

The fixture is our own structured summary of the provincial platform's user guide and of
Xinyang's “充电桩报装一件事” joint-item list. Loading it is an upsert: departments and
items are matched by ``code``, materials by ``(item, code)``. Fields listed in the
fixture are brought in line with it; everything else is left alone:

* rows an editor added (departments, items, materials) are never deleted;
* ``ServiceItem.live`` is only set when an item is created, so an item an editor has
  taken offline stays offline;
* department members (reviewers) are never touched.

Works with the real models and with a migration's historical models (which have no
custom methods), so everything here uses plain field access only.
"""

import json
from collections import Counter
from pathlib import Path

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction

from .formats import normalise_formats

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

MATERIAL_DEFAULTS = {
    "formats": "",
    "required": True,
    "min_count": 1,
    "max_count": 10,
    "archive_kind": "other",
    "note": "",
}

SECTION_LABELS = {
    "departments": ("部门", "个"),
    "items": ("事项", "项"),
    "materials": ("材料", "项"),
}


class CatalogueError(ValueError):
    """The fixture is inconsistent; the message says where."""


def read_fixture(path: Path | str | None = None) -> dict:
    with Path(path or DATA_FILE).open(encoding="utf-8") as fh:
        data = json.load(fh)
    _check_unique(data)
    return data


def _check_unique(data: dict) -> None:
    def duplicates(codes):
        return sorted(code for code, n in Counter(codes).items() if n > 1)

    if dup := duplicates(d["code"] for d in data["departments"]):
        raise CatalogueError(f"部门编码重复：{'、'.join(dup)}")
    if dup := duplicates(i["code"] for i in data["items"]):
        raise CatalogueError(f"事项编码重复：{'、'.join(dup)}")
    for item in data["items"]:
        if dup := duplicates(m["code"] for m in item["materials"]):
            raise CatalogueError(f"事项 {item['code']} 的材料编码重复：{'、'.join(dup)}")


def _validate(obj, label: str) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise CatalogueError(f"{label} 数据有误：{exc.message_dict}") from exc


def _upsert(model, lookup: dict, values: dict, label: str, create_only: dict | None = None):
    """Create or update one row; returns ``(obj, status)``."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(create_only or {}))
        _validate(obj, label)
        obj.save()
        return obj, CREATED
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if not changed:
        return obj, UNCHANGED
    for field in changed:
        setattr(obj, field, values[field])
    _validate(obj, label)
    obj.save(update_fields=changed)
    return obj, UPDATED


def _formats(raw: str) -> str:
    return ",".join(normalise_formats(raw)) if raw else ""


def _item_values(data: dict, department) -> dict:
    applicants = set(data.get("applicants", []))
    return {
        "name": data["name"],
        "kind": data["kind"],
        "department_id": department.pk,
        "handling": data.get("handling", "working_days"),
        "working_days": data.get("working_days"),
        "peak_extension": data.get("peak_extension", False),
        "for_operator": "operator" in applicants,
        "for_builder": "builder" in applicants,
        "for_resident": "resident" in applicants,
        "joint_group": data.get("joint_group", ""),
        "summary": data.get("summary", ""),
        "conditions": "\n".join(data.get("conditions", [])),
        "basis": data.get("basis", ""),
        "sort_order": data.get("sort_order", 0),
    }


def _material_values(data: dict, position: int) -> dict:
    values = {**MATERIAL_DEFAULTS, **data}
    values.pop("code")
    values["formats"] = _formats(values["formats"])
    values["sort_order"] = position
    return values


def load_catalogue(apps_or_none=None, path: Path | str | None = None) -> dict:
    """Upsert the fixture; returns ``{"departments"|"items"|"materials": {status: n}}``.

    ``apps_or_none`` is a migration's ``apps`` registry (historical models) or ``None``
    for the real models.
    """
    if apps_or_none is None:
        apps_or_none = django_apps
    department_model = apps_or_none.get_model("catalogue", "Department")
    item_model = apps_or_none.get_model("catalogue", "ServiceItem")
    material_model = apps_or_none.get_model("catalogue", "MaterialRequirement")

    data = read_fixture(path)
    counts = {section: {CREATED: 0, UPDATED: 0, UNCHANGED: 0} for section in SECTION_LABELS}
    with transaction.atomic():
        departments = {}
        for row in data["departments"]:
            department, status = _upsert(
                department_model,
                {"code": row["code"]},
                {"name": row["name"], "full_name": row.get("full_name", "")},
                f"部门 {row['code']}",
            )
            departments[row["code"]] = department
            counts["departments"][status] += 1

        for row in data["items"]:
            try:
                department = departments[row["department"]]
            except KeyError:
                raise CatalogueError(
                    f"事项 {row['code']} 的办理部门“{row['department']}”不在部门列表中"
                ) from None
            item, status = _upsert(
                item_model,
                {"code": row["code"]},
                _item_values(row, department),
                f"事项 {row['code']}",
                create_only={"live": True},
            )
            counts["items"][status] += 1
            for position, material in enumerate(row["materials"]):
                _, status = _upsert(
                    material_model,
                    {"item_id": item.pk, "code": material["code"]},
                    _material_values(material, position),
                    f"事项 {row['code']} 的材料 {material['code']}",
                )
                counts["materials"][status] += 1
    return counts


def describe_counts(counts: dict) -> str:
    """A one-line Chinese summary, e.g. for the management command."""
    parts = []
    for section, (label, unit) in SECTION_LABELS.items():
        c = counts[section]
        total = sum(c.values())
        parts.append(
            f"{label} {total} {unit}（新增 {c[CREATED]}，更新 {c[UPDATED]}，未变 {c[UNCHANGED]}）"
        )
    return "；".join(parts) + "。"
