"""The window desk, intake, 预审 and claim pages; the 装表接电 page; the progress rows."""

import pytest
from django.urls import reverse

from applications.models import Application, State
from catalogue.models import ApplicantType
from tests.applications import factories
from tests.applications.factories import (
    PASSWORD,
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ready_joint_application,
    submit,
)
from window.models import ClaimTicket

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

ID_NUMBER = factories.id_number(321)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_desk_is_for_window_staff_only(client, clerk, operator):
    login(client, operator.user)
    assert client.get(reverse("window:desk")).status_code == 404
    login(client, clerk)
    application = submit(ready_joint_application(operator))
    page = client.get(reverse("window:desk"))
    assert page.status_code == 200
    assert application.reference in page.content.decode()


def test_intake_page_registers_a_walk_in_resident(client, clerk):
    login(client, clerk)
    bad = client.post(
        reverse("window:new"),
        {"kind": "resident", "name": "李秀英", "id_number": ID_NUMBER[:-1] + "Z", "mobile": "139"},
    )
    assert bad.status_code == 400
    assert "身份证号码不正确" in bad.content.decode()
    assert ID_NUMBER[:10] not in bad.content.decode()  # the ID is never echoed back
    response = client.post(
        reverse("window:new"),
        {
            "kind": "resident",
            "name": "李秀英",
            "id_number": ID_NUMBER,
            "mobile": "13900001111",
            "items": [RESIDENT_POWER_ITEM],
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("window:detail", args=[application.reference])
    page = client.get(response["Location"]).content.decode()
    assert ID_NUMBER not in page
    assert application.claim_ticket.code.plaintext in page
    assert f"/documents/{application.reference}/application_form.pdf" in page


def test_the_window_accepts_from_its_page(client, clerk, operator):
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    login(client, clerk)
    page = client.get(reverse("window:detail", args=[application.reference])).content.decode()
    assert f"/documents/{application.reference}/acceptance_receipt.pdf" in page
    refused = client.post(reverse("window:act", args=[application.reference, "refuse"]))
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    client.post(reverse("window:act", args=[application.reference, "accept"]))
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert (
        client.post(reverse("window:act", args=[application.reference, "nope"])).status_code == 404
    )


def test_the_claim_page(client, desk, clerk):
    from window import intake

    walk_in = intake.find_or_create_resident(
        desk, name="李秀英", id_number=ID_NUMBER, mobile="13900001111"
    )
    application = intake.open_application(desk, walk_in, [RESIDENT_POWER_ITEM], staff=clerk)
    me = factories.make_applicant(ApplicantType.RESIDENT, name="李秀英")
    me.mobile, me.id_number = "13900001111", ID_NUMBER
    me.save()
    login(client, me.user)
    wrong = client.post(reverse("window:claim"), {"reference": application.reference, "code": "1"})
    assert wrong.status_code == 400 and "不匹配" in wrong.content.decode()
    ok = client.post(
        reverse("window:claim"),
        {"reference": application.reference, "code": ClaimTicket.objects.get().code.plaintext},
    )
    assert ok.status_code == 302
    assert Application.objects.get(pk=application.pk).applicant == me


def test_progress_page_shows_the_window_row(client, clerk, operator):
    application = submit(ready_joint_application(operator))
    page = client.get(reverse("progress"), {"ref": application.reference, "phone4": "5678"})
    text = page.content.decode()
    assert "综合窗口预审" in text and "预审中" in text


def test_connection_page_roles(client, operator, reviewers):
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    for review in application.reviews.select_related("department"):
        from applications.workflow import decide

        decide(application, user=reviewers[review.department.code], approve=True)
    url = reverse("connection:page", args=[application.reference])
    login(client, reviewers["urban"])
    assert client.get(url).status_code == 404
    login(client, reviewers["power"])
    page = client.get(url).content.decode()
    assert 'id="confirm-survey"' in page
    bad = client.post(
        reverse("connection:act", args=[application.reference, "confirm_survey"]),
        {"date": "not-a-date"},
    )
    assert bad.status_code == 400 and "年-月-日" in bad.content.decode()
    client.post(reverse("connection:act", args=[application.reference, "confirm_survey"]))
    progress = client.get(reverse("progress"), {"ref": application.reference, "phone4": "5678"})
    assert "现场踏勘" in progress.content.decode()
    login(client, operator.user)
    assert 'id="sign-plan"' not in client.get(url).content.decode()


def test_window_staff_are_sent_to_the_intake_not_refused(client, clerk, reviewers):
    login(client, clerk)
    response = client.get(reverse("portal:new", args=["joint_installation"]))
    assert response.status_code == 302 and response["Location"] == reverse("window:new")
    # Other staff still cannot file, and window staff file only the joint application.
    assert client.get(reverse("portal:new", args=["interconnection"])).status_code == 404
    login(client, reviewers["power"])
    assert client.get(reverse("portal:new", args=["joint_installation"])).status_code == 404


def test_portal_links_to_claim_and_connection(client, operator, reviewers):
    login(client, operator.user)
    assert reverse("window:claim") in client.get(reverse("portal:dashboard")).content.decode()
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    from applications.workflow import decide

    decide(application, user=reviewers["power"], approve=True)
    page = client.get(reverse("portal:detail", args=[application.reference])).content.decode()
    assert reverse("connection:page", args=[application.reference]) in page
    assert "装表接电中" in page


def test_reviewer_list_shows_the_window_and_connection_steps(client, clerk, operator, reviewers):
    from applications.workflow import decide
    from window import acceptance

    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    acceptance.accept(application, user=clerk)
    decide(application, user=reviewers["power"], approve=True)
    from tests.applications.test_review_admin import grant_admin

    grant_admin(reviewers["power"])
    client.force_login(reviewers["power"])
    html = client.get("/admin/review/").content.decode()
    assert "综合窗口预审：已受理" in html
    assert "现场踏勘：待确认" in html or "现场踏勘：办理中" in html
    page = client.get(f"/admin/review/{application.reference}/").content.decode()
    assert "窗口预审与装表接电" in page and "申请渠道" in page
    assert reverse("connection:page", args=[application.reference]) in page


def test_window_staff_do_not_edit_an_online_application(client, clerk, operator):
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    login(client, clerk)
    client.post(reverse("window:act", args=[application.reference, "supplement"]), {"extra": "x"})
    response = client.post(reverse("window:act", args=[application.reference, "submit"]))
    assert response.status_code == 400
    assert "网上申请由申请人本人修改和提交" in response.content.decode()
    edit = client.post(reverse("window:detail", args=[application.reference]), {"address": "x"})
    assert edit.status_code == 400
    assert Application.objects.get(pk=application.pk).state == State.NEEDS_SUPPLEMENT
