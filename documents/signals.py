"""After each workflow step, the documents the case now has are issued (documents.delivery).

Listens to `applications.Event` rows as they are written (same transaction), so the
applications app never needs to know this app exists."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from applications.models import Event

from .delivery import sync

# Steps after which a case may have a new document: the departments' steps, the 综合窗口's
# 受理 / 补正 / 不予受理, and 供电's 供电方案（合同） in 装表接电.
ISSUING_ACTIONS = {
    "submitted",
    "resubmitted",
    "supplement_requested",
    "approved",
    "rejected",
    "accepted",
    "window_supplement_requested",
    "not_accepted",
    "plan_offered",
}


@receiver(post_save, sender=Event, dispatch_uid="documents.issue_documents")
def issue_documents(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.action in ISSUING_ACTIONS:
        sync(instance.application)
