"""Default message texts, and the old 1–5 star ratings carried over as 好差评 levels
(5 → 非常满意 … 1 → 非常不满意; the numbers are the same)."""

from django.db import migrations


def seed_templates(apps, schema_editor):
    from notifications.events import DEFAULT_TEMPLATES

    Template = apps.get_model("notifications", "NotificationTemplate")
    for event, (subject, body, sms) in DEFAULT_TEMPLATES.items():
        Template.objects.get_or_create(
            event=event, defaults={"subject": subject, "body": body, "sms_text": sms}
        )


def carry_over_ratings(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Rating = apps.get_model("notifications", "Rating")
    for app in Application.objects.filter(rating__isnull=False).iterator():
        if not 1 <= app.rating <= 5:
            continue
        Rating.objects.get_or_create(
            application_id=app.pk,
            channel="online",
            defaults={
                "level": app.rating,
                "comment": app.rating_comment,
                "created_at": app.rated_at or app.decided_at or app.updated_at,
            },
        )


def ratings_back(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Rating = apps.get_model("notifications", "Rating")
    for rating in Rating.objects.filter(channel="online"):
        Application.objects.filter(pk=rating.application_id).update(
            rating=rating.level, rating_comment=rating.comment, rated_at=rating.created_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("applications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_templates, migrations.RunPython.noop),
        migrations.RunPython(carry_over_ratings, ratings_back),
    ]
