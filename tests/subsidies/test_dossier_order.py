"""建站资料 can be withdrawn, edited or deleted only while no 建设补贴 references its
station (the guide: delete the subsidy application first, then the station dossier)."""

import pytest

from applications.forms import save_detail
from applications.models import Application, StationDossier
from applications.workflow import WorkflowError, delete_application, withdraw
from catalogue.models import ApplicationKind

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

IN_USE = "该站点已有建设补贴申请，请先删除补贴申请，再撤回、修改或删除建站资料。"


def dossier_of(station):
    return StationDossier.objects.get(station=station).application


def test_withdrawing_the_dossier_of_a_claimed_station_is_refused(construction, station):
    dossier = dossier_of(station)
    with pytest.raises(WorkflowError, match=IN_USE):
        withdraw(dossier, user=dossier.applicant.user)
    dossier.refresh_from_db()
    assert dossier.detail.station == station


def test_a_dossier_unbound_by_an_earlier_withdrawal_is_not_deleted(construction, station):
    """The old bug: withdrawal cleared detail.station, so delete saw no subsidy."""
    dossier = dossier_of(station)
    StationDossier.objects.filter(pk=dossier.detail.pk).update(station=None)
    Application.objects.filter(pk=dossier.pk).update(state="draft")
    dossier = Application.objects.get(pk=dossier.pk)
    with pytest.raises(WorkflowError, match=IN_USE):
        delete_application(dossier, user=dossier.applicant.user)
    assert Application.objects.filter(pk=dossier.pk).exists()
    # Nor edited.
    with pytest.raises(WorkflowError, match=IN_USE):
        save_detail(
            dossier,
            {
                "station_name": "改名的充电站",
                "started_on": "2026-03-01",
                "completed_on": "2026-06-30",
                "manager": "李强",
                "manager_phone": "13912345678",
                "filed_name": "改名的充电站",
                "filed_address": "郑州",
            },
            user=dossier.applicant.user,
        )


def test_once_the_subsidy_is_deleted_the_dossier_may_go(construction, station):
    delete_application(construction, user=construction.applicant.user)
    dossier = dossier_of(station)
    withdraw(dossier, user=dossier.applicant.user)
    delete_application(dossier, user=dossier.applicant.user)
    assert not Application.objects.filter(
        kind=ApplicationKind.STATION_DOSSIER, pk=dossier.pk
    ).exists()
