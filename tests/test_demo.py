import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from guides.models import GuidePage
from policies.models import PolicyPage

pytestmark = pytest.mark.django_db


def run_demo(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    return re.search(r"演示编辑账号：(\S+)\s+密码：(\S+)", out).groups()


def test_load_demo_is_repeatable_and_prints_a_working_login(home_page, capsys):
    username, password = run_demo(capsys)
    counts = (PolicyPage.objects.count(), GuidePage.objects.count())
    assert counts == (3, 2)
    assert run_demo(capsys) == (username, password)
    assert (PolicyPage.objects.count(), GuidePage.objects.count()) == counts
    user = authenticate(username=username, password=password)
    assert user is not None and user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"Editors", "Moderators"}


def test_demo_pages_are_published_and_render(home_page, client, capsys):
    run_demo(capsys)
    for page in [*PolicyPage.objects.all(), *GuidePage.objects.all()]:
        assert page.live
        assert client.get(page.url).status_code == 200
    assert "信电〔2024〕141号" in client.get("/").content.decode()
