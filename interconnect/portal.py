"""联调: the operator's engineer sees the last messages per interface with Ret and reason."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from .models import Message, Platform
from .receiver import HANDLERS

RET_LABELS = {
    0: "成功",
    4001: "签名错误",
    4002: "Token 错误",
    4003: "报文或运营商错误",
    4004: "业务数据错误",
    500: "系统错误",
}
PER_INTERFACE = 10


@login_required
def debug(request):
    applicant = getattr(request.user, "applicant", None)
    platform = Platform.objects.filter(applicant=applicant).first() if applicant else None
    groups = []
    if platform is not None:
        for interface in HANDLERS:
            messages = list(
                Message.objects.filter(platform=platform, interface=interface)[:PER_INTERFACE]
            )
            for message in messages:
                message.ret_label = RET_LABELS.get(message.ret, "")
            groups.append({"interface": interface, "messages": messages})
    return render(request, "interconnect/debug.html", {"platform": platform, "groups": groups})


app_name = "interconnect"
urlpatterns = [path("", debug, name="debug")]
