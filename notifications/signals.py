"""Every `applications.Event` row is looked at as it is written (same transaction): the
events it raises become messages for the applicant."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from applications.models import Event

from .events import events_for
from .service import notify

logger = logging.getLogger(__name__)


def application_context(application, event=None) -> dict:
    department = event.department.name if event is not None and event.department else ""
    return {
        "reference": application.reference,
        "kind": application.get_kind_display(),
        "applicant": application.applicant.name,
        "state": application.get_state_display(),
        "department": department,
        "note": event.note if event is not None else "",
    }


def portal_link(application) -> str:
    return reverse("portal:detail", args=[application.reference])


@receiver(post_save, sender=Event, dispatch_uid="notifications.event_messages")
def event_messages(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    names = events_for(instance)
    if not names:
        return
    application = instance.application
    user = application.applicant.user
    for name in names:
        context = application_context(application, instance)
        if name == "supplement_requested":
            notice = application.supplement_notices.order_by("-created_at", "-pk").first()
            context["items"] = notice.items if notice else []
        notify(
            name,
            user,
            context,
            application=application,
            link=portal_link(application),
            dedupe_key=f"{name}:{instance.pk}",
        )
