"""Fixtures for the application core: the catalogue, people, files and a private folder.

The catalogue, the regions and the working-day calendar come from data migrations. A
transactional test elsewhere in the run flushes them, so `catalogue` puts them back
when they are missing (the loaders are idempotent upserts).
"""

from types import SimpleNamespace

import pytest

from catalogue.models import ApplicantType

from . import factories


@pytest.fixture
def catalogue(db):
    """The bundled catalogue: `.departments` and `.items` by code, `.item(code)`,
    `.material(item_code, material_code)`."""
    from catalogue.models import Department, MaterialRequirement, ServiceItem

    factories.ensure_reference_data()
    departments = {d.code: d for d in Department.objects.all()}
    items = {i.code: i for i in ServiceItem.objects.select_related("department")}
    return SimpleNamespace(
        departments=departments,
        items=items,
        item=items.__getitem__,
        material=lambda item, code: MaterialRequirement.objects.get(item__code=item, code=code),
    )


@pytest.fixture
def operator(catalogue):
    """An active 充电设施运营商."""
    return factories.make_applicant(ApplicantType.OPERATOR, name="信阳豫充新能源有限公司")


@pytest.fixture
def other_operator(catalogue):
    return factories.make_applicant(ApplicantType.OPERATOR, name="罗山县快充科技有限公司")


@pytest.fixture
def builder(catalogue):
    """An active 充电设施建设方."""
    return factories.make_applicant(ApplicantType.BUILDER, name="信阳城建电力工程有限公司")


@pytest.fixture
def resident(catalogue):
    """An active 个人/居民."""
    return factories.make_applicant(ApplicantType.RESIDENT, name="陈静")


@pytest.fixture
def pending_operator(catalogue):
    """An operator whose account registration is still under review."""
    from accounts.models import Applicant

    return factories.make_applicant(ApplicantType.OPERATOR, status=Applicant.Status.PENDING)


@pytest.fixture
def reviewers(catalogue):
    """One reviewer per department, by department code (power, urban, police, housing,
    platform)."""
    return {
        code: factories.make_reviewer(code, username=f"审核-{code}")
        for code in catalogue.departments
    }


@pytest.fixture
def png_data():
    return factories.png_bytes()


@pytest.fixture
def jpeg_data():
    return factories.jpeg_bytes()


@pytest.fixture
def pdf_data():
    return factories.pdf_bytes()


@pytest.fixture
def private_folder(settings, tmp_path):
    """The private storage moved to a fresh folder for this test; returns its Path."""
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder) -> set[str]:
    """Every file under ``folder``, relative, for before/after comparisons."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
