"""Who reviews: the members of a department (and superusers). One definition for every
app that shows reviewers something — applications, the archive, interconnection data,
notifications — so "is this person a reviewer" has a single answer."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from .models import Department


def reviewer_departments(user):
    """The departments whose reviews `user` handles (all of them for a superuser)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return user.review_departments.all()


def is_reviewer(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.review_departments.exists())
    )


class ReviewerViewOnlyPolicy(BasePermissionPolicy):
    """Reviewers may look; nobody adds, edits or deletes through the admin. Subclasses
    narrow which instances a reviewer may see."""

    def user_has_permission(self, user, action):
        return action == "view" and is_reviewer(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and is_reviewer(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(review_departments__isnull=False)).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)
