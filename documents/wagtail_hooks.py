"""Admin menu item 文书送达 for window staff and reviewers (the list lives at /documents/pending/)."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from catalogue.reviewers import is_reviewer
from window.intake import is_window_staff


class DeliveryMenuItem(MenuItem):
    def is_shown(self, request):
        return is_window_staff(request.user) or is_reviewer(request.user)


@hooks.register("register_admin_menu_item")
def register_delivery_menu_item():
    return DeliveryMenuItem("文书送达", reverse("documents:pending"), icon_name="mail", order=320)
