"""Public service guides (办事指南), rendered from the catalogue rows."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from .models import ApplicationKind, MaterialRequirement, ServiceItem

PROVINCIAL_HEADING = "省平台业务"
JOINT_HEADING = "信阳“充电桩报装一件事”联办事项"


def apply_url(item: ServiceItem) -> str:
    """Where “在线办理” leads: the application form for the item's kind."""
    return f"/my/applications/new/{item.kind}/"


def count_label(material: MaterialRequirement) -> str:
    if not material.takes_upload:
        return "—"
    if material.min_count == material.max_count:
        return f"{material.min_count} 份"
    return f"{material.min_count}–{material.max_count} 份"


def required_label(material: MaterialRequirement) -> str:
    if not material.required:
        return "否（视情况提供）"
    if material.source == MaterialRequirement.Source.DEFERRABLE:
        return "是（可容缺，可后补）"
    return "是"


def live_items():
    return ServiceItem.objects.filter(live=True).select_related("department")


def index(request):
    items = live_items().annotate(material_count=Count("materials"))
    provincial = [i for i in items if i.kind != ApplicationKind.JOINT_INSTALLATION]
    joint = [i for i in items if i.kind == ApplicationKind.JOINT_INSTALLATION]
    sections = [
        {"id": "provincial", "heading": PROVINCIAL_HEADING, "items": provincial},
        {"id": "joint", "heading": JOINT_HEADING, "items": joint},
    ]
    return render(
        request,
        "catalogue/index.html",
        {"sections": [s for s in sections if s["items"]]},
    )


def guide(request, code):
    item = get_object_or_404(live_items(), code=code)
    materials = [
        {"number": n, "material": m, "count": count_label(m), "required": required_label(m)}
        for n, m in enumerate(item.materials.order_by("sort_order", "pk"), start=1)
    ]
    group_items = []
    if item.joint_group:
        group_items = list(live_items().filter(joint_group=item.joint_group).exclude(pk=item.pk))
    return render(
        request,
        "catalogue/guide.html",
        {
            "item": item,
            "materials": materials,
            "group_items": group_items,
            "is_joint": item.kind == ApplicationKind.JOINT_INSTALLATION,
            "section_heading": JOINT_HEADING
            if item.kind == ApplicationKind.JOINT_INSTALLATION
            else PROVINCIAL_HEADING,
            "apply_url": apply_url(item),
        },
    )
