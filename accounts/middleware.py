"""Every request of a signed-in applicant checks the account state: a locked account is
signed out at once, whatever way it was locked (the idle rule, staff in the admin)."""

from django.contrib import messages
from django.contrib.auth import logout

from .models import Applicant

LOCKED_MESSAGE = "账号已被锁定（{note}），已退出登录。请联系省平台解锁。"


class AccountStateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            applicant = Applicant.objects.filter(user=user).only("status", "status_note").first()
            if applicant is not None and applicant.status == Applicant.Status.LOCKED:
                logout(request)
                messages.error(
                    request, LOCKED_MESSAGE.format(note=applicant.status_note or "长期未登录")
                )
        return self.get_response(request)
