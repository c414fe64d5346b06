"""The one writer of Event rows: the history and audit trail of an application.

Every step, decision, download and view becomes an Event through `record` (one row,
seen by the post_save receivers of notifications and documents) or `record_many` (a
list export: one INSERT, no signals). `tests/test_architecture.py` checks that no other
module constructs Events. What an action is called is in `history.py`.
"""

from .models import Event


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def record(
    application, user, action, *, note="", department=None, from_state="", to_state=None
) -> Event:
    """One Event; `to_state` defaults to the application's state after the step."""
    return Event.objects.create(
        application=application,
        actor=_actor(user),
        action=action,
        department=department,
        from_state=from_state,
        to_state=application.state if to_state is None else to_state,
        note=note,
    )


def record_many(applications, user, action, *, note="") -> None:
    """The same read by `user` on many applications, in one INSERT."""
    Event.objects.bulk_create(
        [
            Event(
                application=application,
                actor=_actor(user),
                action=action,
                from_state=application.state,
                to_state=application.state,
                note=note,
            )
            for application in applications
        ]
    )
