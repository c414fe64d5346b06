"""Reviewers see pushed stations, equipment, orders and messages read-only in the admin."""

from django.contrib.auth.models import Permission

from tests.applications.factories import make_reviewer


def test_reviewer_reads_stations_with_filters(client, platform, operator_client, pushed):
    reviewer = make_reviewer("platform")
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(reviewer)
    city = platform.applicant.region.parent
    html = client.get("/admin/interconnect_stations/", {"city": city.pk}).content.decode()
    assert pushed[0]["StationName"] in html
    html = client.get("/admin/interconnect_stations/", {"station_type": 100}).content.decode()
    assert pushed[0]["StationName"] not in html
    html = client.get("/admin/interconnect_messages/", {"ret": 0}).content.decode()
    assert "notification_stationInfo" in html
    assert client.get("/admin/interconnect_stations/new/").status_code in (302, 403)
    for name in ("interconnect_equipment", "interconnect_orders"):
        assert client.get(f"/admin/{name}/").status_code == 200


def test_applicant_cannot_open_the_admin_views(client, platform):
    client.force_login(platform.applicant.user)
    assert client.get("/admin/interconnect_stations/").status_code in (302, 403)
