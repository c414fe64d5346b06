"""Authentication that enforces the idle lock and the login rate limit everywhere."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .services import LoginRefused, check_login_allowed, client_ip, record_attempt


class PortalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.UserModel.USERNAME_FIELD)
        if username is None:
            return None
        try:
            check_login_allowed(username, client_ip(request))
        except LoginRefused:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    record_attempt(credentials.get("username", ""), client_ip(request), succeeded=False)


@receiver(user_logged_in)
def _succeeded(sender, request, user, **kwargs):
    record_attempt(user.get_username(), client_ip(request), succeeded=True)
