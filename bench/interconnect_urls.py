"""The portal's URLs plus /evcs/bench/echo: parse a JSON body, answer a small JSON envelope."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from cms.urls import urlpatterns as portal_urls


@csrf_exempt
def echo(request):
    body = json.loads(request.body)
    return JsonResponse({"Ret": 0, "Msg": "", "Data": body.get("Data", ""), "Sig": ""})


# Under /evcs/ so that it takes the same middleware path as the receiver.
urlpatterns = [path("evcs/bench/echo", echo), *portal_urls]
