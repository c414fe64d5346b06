"""Context builders of the document kinds: the facts each template prints.

Everything is read from the application as it is stored; nothing here writes. ID
numbers are printed masked.
"""

from applications.models import JointInstallation
from catalogue.models import ApplicantType
from cms.crypto import mask
from connection.models import Connection
from window.facts import receipt_facts, rejection_facts

# The four boxes of 联合报装事项 on 附件3, and which service items tick each.
JOINT_BOXES = (
    ("用电报装", ("xy-low-voltage-resident", "xy-low-voltage-non-resident", "xy-high-voltage")),
    ("影响交通安全占道施工审核", ("xy-traffic-safety-road-works",)),
    ("占用、挖掘城市道路审批", ("xy-road-occupation-excavation",)),
    ("工程建设涉及城市绿地、树木审批", ("xy-green-space-trees",)),
)
RESIDENT_POWER_ITEM = "xy-low-voltage-resident"
ENTERPRISE_POWER_USES = ("commercial", "industrial", "non_industrial", "other")


def boxes(choices, chosen) -> list[dict]:
    """[{label, checked}] for a row of ☐/☑ boxes."""
    chosen = set(chosen if isinstance(chosen, (list, tuple, set)) else [chosen])
    return [{"label": label, "checked": value in chosen} for value, label in choices]


def _items(application):
    return list(application.items.select_related("department").order_by("sort_order", "pk"))


def _reviews(application):
    return list(application.reviews.select_related("department").order_by("department__pk"))


def _applicant_facts(application) -> dict:
    applicant = application.applicant
    resident = applicant.kind == ApplicantType.RESIDENT
    return {
        "applicant_name": applicant.name,
        "applicant_resident": resident,
        "credit_code": applicant.credit_code,
        "id_number_masked": mask(str(applicant.id_number or "")) if resident else "",
    }


def application_form(application, issued) -> dict:
    joint = application.joint_installation
    items = _items(application)
    codes = {item.code for item in items}
    resident_power = RESIDENT_POWER_ITEM in codes
    power_chosen = bool(codes & set(JOINT_BOXES[0][1]))
    uses = [(v, label) for v, label in JointInstallation.PowerUse.choices]
    survey = joint.survey_date
    return {
        **_applicant_facts(application),
        "joint": joint,
        "items": items,
        "tenure_boxes": boxes(JointInstallation.Tenure.choices, joint.tenure),
        "business_boxes": boxes(JointInstallation.Business.choices, joint.business),
        "joint_boxes": [
            {"label": label, "checked": bool(codes & set(item_codes))}
            for label, item_codes in JOINT_BOXES
        ],
        "survey_parts": (survey.year, survey.month, survey.day) if survey else None,
        "half_day_boxes": boxes(JointInstallation.HalfDay.choices, joint.survey_half_day),
        "power_chosen": power_chosen,
        "enterprise_power": power_chosen and not resident_power,
        "resident_power": resident_power,
        "enterprise_use_boxes": boxes(
            [u for u in uses if u[0] in ENTERPRISE_POWER_USES],
            joint.power_use if not resident_power else "",
        ),
        "resident_use_boxes": boxes(
            [u for u in uses if u[0] == "residential"], joint.power_use if resident_power else ""
        ),
        "delivery_boxes": boxes(JointInstallation.Delivery.choices, joint.delivery),
        "road_boxes": [
            {
                "label": label,
                "field": "道路名称" if value in ("expressway", "rural") else "道路地址",
                "checked": joint.road_type == value,
                "name": joint.road_name if joint.road_type == value else "",
                "address": joint.road_address if joint.road_type == value else "",
            }
            for value, label in JointInstallation.RoadType.choices
        ],
        "green_checked": bool(joint.green_address),
    }


def acceptance_receipt(application, issued) -> dict:
    attachments = application.attachments.select_related("requirement").order_by(
        "requirement__sort_order", "pk"
    )
    return {
        **_applicant_facts(application),
        "items": _items(application),
        "reviews": _reviews(application),
        "materials": [
            {"name": a.requirement.name, "file": a.original_name, "pages": a.pages}
            for a in attachments
        ],
        "contact": _contact(application),
        "window": receipt_facts(application) if application.window_due_date else None,
    }


def _contact(application) -> dict:
    joint = getattr(application, "joint_installation", None)
    if joint is not None:
        return {"name": joint.contact_name, "phone": joint.contact_phone}
    return {"name": application.applicant.contact_name, "phone": application.applicant.mobile}


def supplement_notice(application, issued) -> dict:
    notice = application.supplement_notices.get(pk=int(issued.key))
    return {**_applicant_facts(application), "notice": notice, "items": notice.items}


def decision(application, issued) -> dict:
    if "review" not in issued.extra:  # the 综合窗口's 不予受理
        return {**_applicant_facts(application), "refusal": rejection_facts(application)}
    review = issued.extra["review"]
    return {
        **_applicant_facts(application),
        "review": review,
        "review_items": list(review.items.order_by("sort_order", "pk")),
        "opinion": review.opinion,
    }


def power_plan(application, issued) -> dict:
    joint = application.joint_installation
    review = issued.extra["review"]
    return {
        **_applicant_facts(application),
        "joint": joint,
        "plan": Connection.objects.filter(application=application).first(),
        "review": review,
        "power_items": list(review.items.order_by("sort_order", "pk")),
        "contact": _contact(application),
    }
