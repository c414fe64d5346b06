"""The checklist built from the catalogue, and storing / removing uploaded material.

Files are generated with Pillow and stored in a fresh private folder per test (the
embedded default: the local PrivateFileSystemStorage). Storage failures are real: the
folder cannot be written, so the real save raises.
"""

import errno
import hashlib
import stat
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, storages
from PIL import Image

from applications.materials import (
    add_attachment,
    checklist,
    checklist_problems,
    duplicate_hashes,
    remove_attachment,
    requirement_for,
)
from applications.models import Attachment, Event, State
from applications.rules import problems_for_submission
from applications.uploads import UploadRejected
from catalogue.models import ApplicationKind, MaterialRequirement
from cms.storage import StorageUnavailable

from .conftest import stored_files
from .factories import (
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    add_technicians,
    attach,
    attach_due_materials,
    joint_detail,
    jpeg_upload,
    make_application,
    make_operator_registration,
    pdf_bytes,
    pdf_upload,
    png_bytes,
    png_upload,
    ready_joint_application,
    submit,
    upload,
)

# Deadlines, survey dates and subsidy years count from today: run at a fixed moment inside
# the covered calendar (tests/conftest.py), whatever the real date.
pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def rows_by_code(application):
    return {row.requirement.code: row for row in checklist(application)}


@pytest.fixture
def joint(operator):
    """A draft for 低压非居民新装 + 占用、挖掘城市道路审批 with its form filled in."""
    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    joint_detail(application)
    return application


# --------------------------------------------------------------------------- checklist


def test_the_checklist_is_exactly_the_items_materials_in_catalogue_order(joint, catalogue):
    expected = [
        (item, m.code)
        for item in (POWER_ITEM, ROAD_ITEM)
        for m in catalogue.item(item).materials.order_by("sort_order", "pk")
    ]
    assert [(r.requirement.item.code, r.requirement.code) for r in checklist(joint)] == expected
    assert expected == [
        (POWER_ITEM, "entity-proof"),
        (POWER_ITEM, "property-rights-proof"),
        (ROAD_ITEM, "business-licence"),
        (ROAD_ITEM, "construction-planning-permit"),
        (ROAD_ITEM, "id-card"),
        (ROAD_ITEM, "road-occupation-fee-receipt"),
        (ROAD_ITEM, "road-excavation-application"),
        (ROAD_ITEM, "municipal-facility-occupation-register"),
        (ROAD_ITEM, "road-occupation-application"),
        (ROAD_ITEM, "construction-drawings"),
        (ROAD_ITEM, "drawing-technical-design"),
    ]


def test_deferrable_and_system_materials_do_not_block_submission(joint):
    rows = rows_by_code(joint)
    fee = rows["road-occupation-fee-receipt"]
    assert fee.requirement.name == "城市道路占用费缴纳证明"
    assert (fee.status, fee.status_label, fee.problem) == ("later", "可容缺，可后补", "")
    for code in ("entity-proof", "property-rights-proof", "business-licence", "id-card"):
        assert (rows[code].status, rows[code].status_label) == ("later", "系统自动获取")
    permit = rows["construction-planning-permit"]
    assert (permit.status, permit.status_label) == ("missing", "缺少")
    assert permit.problem == "缺少“中华人民共和国建设工程规划许可证”。"

    problems = problems_for_submission(joint)
    assert "缺少“中华人民共和国建设工程规划许可证”。" in problems
    assert not any("城市道路占用费" in p or "营业执照" in p or "主体证明" in p for p in problems)

    for code, row in rows.items():
        if row.status == "missing":
            attach(joint, code)
    assert problems_for_submission(joint) == []
    application = submit(joint)
    assert application.state == State.SUBMITTED
    # The deferred receipt can follow later: it is still listed, as "later".
    assert rows_by_code(application)["road-occupation-fee-receipt"].status == "later"


def test_an_original_checked_on_site_is_not_uploaded_before_submission(resident):
    application = make_application(
        resident, ApplicationKind.JOINT_INSTALLATION, item_codes=[RESIDENT_POWER_ITEM]
    )
    joint_detail(application)
    rows = rows_by_code(application)
    assert [(code, row.status, row.status_label) for code, row in rows.items()] == [
        ("id-card", "later", "系统自动获取"),
        ("parking-space-proof", "missing", "缺少"),
        ("property-management-proof", "later", "现场核验原件"),
        ("ev-purchase-proof", "missing", "缺少"),
    ]
    assert checklist_problems(application) == [
        "缺少“固定车位使用证明”。",
        "缺少“用电人新能源汽车购车证明”。",
    ]
    attach(application, "parking-space-proof", jpeg_upload("车位.jpg"))
    attach(application, "ev-purchase-proof", pdf_upload("购车发票.pdf"))
    assert submit(application).state == State.SUBMITTED


def test_a_material_with_a_minimum_count_needs_that_many(operator):
    application = make_operator_registration(operator)
    attach(application, "software-copyright-certificate")
    attach(application, "commitment-letter")
    add_technicians(application, 7)
    row = rows_by_code(application)["electrician-licence"]
    assert (row.count, row.status) == (7, "missing")
    assert row.problem == "“电工进网作业许可证”至少需要 8 份，已提供 7 份。"

    add_technicians(application, 1, start=8)
    row = rows_by_code(application)["electrician-licence"]
    assert (row.count, row.status, row.problem) == (8, "ok", "")
    assert problems_for_submission(application) == []


def test_a_rejected_file_does_not_count_and_says_why(operator, reviewers):
    from applications.workflow import judge_material

    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    permit = application.attachments.get(requirement__code="construction-planning-permit")
    judge_material(permit, user=reviewers["urban"], accepted=False, note="已过有效期")
    row = rows_by_code(application)["construction-planning-permit"]
    assert (row.status, row.status_label, row.valid_count) == ("rejected", "需重新上传", 0)
    assert row.problem == "“中华人民共和国建设工程规划许可证”审核不合格：已过有效期，请重新上传。"


# --------------------------------------------------------------------------- storing


def test_a_stored_file_keeps_its_facts_and_a_preview(joint, private_folder):
    data = png_bytes(size=(1600, 900))
    requirement = requirement_for(joint, "construction-planning-permit")
    attachment = add_attachment(
        joint, requirement, upload(data, "规划许可证.png"), user=joint.applicant.user
    )
    assert (attachment.requirement, attachment.original_name, attachment.format) == (
        requirement,
        "规划许可证.png",
        "png",
    )
    assert (attachment.content_type, attachment.size) == ("image/png", len(data))
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert (attachment.width, attachment.height, attachment.pages) == (1600, 900, None)
    assert attachment.uploaded_by == joint.applicant.user
    assert attachment.verdict == Attachment.Verdict.PENDING

    # The key is the code's, never the applicant's file name.
    assert attachment.file.name.startswith(f"applications/{joint.pk}/")
    assert "规划" not in attachment.file.name
    assert (private_folder / attachment.file.name).read_bytes() == data
    preview = private_folder / attachment.preview.name
    assert attachment.preview.name.endswith(".preview.jpg")
    with Image.open(preview) as img:
        assert img.format == "JPEG"
        assert max(img.size) == 1000
    event = joint.events.get(action="uploaded")
    assert event.note == "中华人民共和国建设工程规划许可证：规划许可证.png"


def test_a_pdf_gets_a_rendered_first_page_preview(joint, private_folder):
    attachment = attach(joint, "construction-drawings", pdf_upload("图纸.pdf", pages=3))
    assert (attachment.format, attachment.pages) == ("pdf", 3)
    with Image.open(private_folder / attachment.preview.name) as img:
        assert img.format == "JPEG"
        assert img.size[0] > 0


def test_uploads_go_to_the_private_storage_not_media(joint, private_folder, settings):
    attachment = attach(joint, "construction-drawings", jpeg_upload())
    assert storages["private"].exists(attachment.file.name)
    assert not (settings.MEDIA_ROOT / attachment.file.name).exists()
    with pytest.raises(NotImplementedError):
        storages["private"].url(attachment.file.name)


def test_a_file_whose_bytes_are_not_an_accepted_type_is_refused(operator, private_folder):
    application = make_operator_registration(operator)
    requirement = requirement_for(application, "commitment-letter")  # PDF only
    disguised = upload(png_bytes(), "承诺书.pdf", "application/pdf")
    with pytest.raises(UploadRejected) as refused:
        add_attachment(application, requirement, disguised, user=operator.user)
    assert refused.value.message == (
        "文件“承诺书.pdf”的实际内容是 PNG 图片，与此项要求的格式（pdf）不符，请上传 pdf 文件。"
    )
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(action="uploaded").exists()
    assert stored_files(private_folder) == set()


def test_a_file_that_is_no_image_at_all_is_refused(joint, private_folder):
    requirement = requirement_for(joint, "construction-drawings")
    fake = upload(b"MZ\x90\x00" + b"\x00" * 200, "图纸.png", "image/png")
    with pytest.raises(UploadRejected, match="不是可识别的"):
        add_attachment(joint, requirement, fake, user=joint.applicant.user)
    assert not Attachment.objects.exists()
    assert stored_files(private_folder) == set()


def test_no_more_files_than_the_maximum(joint, private_folder):
    requirement = requirement_for(joint, "construction-drawings")
    requirement.max_count = 2
    requirement.save()
    attach(joint, "construction-drawings")
    attach(joint, "construction-drawings")
    files = stored_files(private_folder)
    with pytest.raises(UploadRejected) as refused:
        attach(joint, "construction-drawings")
    assert refused.value.message == (
        "“大型施工项目施工图纸材料”最多上传 2 份，已有 2 份；如需替换，请先删除旧文件。"
    )
    assert joint.attachments.count() == 2
    assert stored_files(private_folder) == files


def test_only_the_applications_own_materials_are_accepted(joint, catalogue):
    with pytest.raises(UploadRejected) as refused:
        requirement_for(joint, "business-licence-scan")
    assert refused.value.message == "此申请没有“business-licence-scan”这项材料，请按材料清单选择。"
    foreign = catalogue.material("operator-registration", "commitment-letter")
    with pytest.raises(UploadRejected, match="不是此申请所需的材料"):
        add_attachment(joint, foreign, pdf_upload(), user=joint.applicant.user)
    # Requirements are found by code or by primary key.
    permit = requirement_for(joint, "construction-planning-permit")
    assert requirement_for(joint, permit.pk) == permit
    assert requirement_for(joint, str(permit.pk)) == permit


def test_a_material_without_formats_takes_no_file(joint, catalogue):
    MaterialRequirement.objects.create(
        item=catalogue.item(ROAD_ITEM),
        code="on-site-check",
        name="现场核验",
        source=MaterialRequirement.Source.ORIGINAL,
        formats="",
        sort_order=50,
    )
    requirement = requirement_for(joint, "on-site-check")
    with pytest.raises(UploadRejected, match="无需上传文件"):
        add_attachment(joint, requirement, png_upload(), user=joint.applicant.user)
    assert rows_by_code(joint)["on-site-check"].status == "ok"


def test_materials_are_frozen_once_submitted(operator, private_folder):
    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    files = stored_files(private_folder)
    # (可容缺 material is the exception: see the deferrable test below.)
    with pytest.raises(UploadRejected) as refused:
        attach(application, "construction-drawings")
    assert refused.value.message == "申请已提交，当前不能修改材料；如需修改，请先撤回申请。"
    existing = application.attachments.first()
    with pytest.raises(UploadRejected, match="当前不能删除材料"):
        remove_attachment(existing, user=operator.user)
    assert Attachment.objects.filter(pk=existing.pk).exists()
    assert stored_files(private_folder) == files


def test_the_same_file_twice_is_flagged(joint):
    data = pdf_bytes()
    first = attach(joint, "construction-drawings", upload(data, "图纸.pdf"))
    assert duplicate_hashes(joint) == set()
    second = attach(joint, "drawing-technical-design", upload(data, "技术设计.pdf"))
    attach(joint, "road-excavation-application")
    assert duplicate_hashes(joint) == {hashlib.sha256(data).hexdigest()}
    assert list(first.duplicates_in_application()) == [second]
    # Another application with the same bytes is no duplicate of this one.
    other = make_application(
        joint.applicant, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    attach(other, "construction-drawings", upload(data, "图纸.pdf"))
    assert duplicate_hashes(other) == set()


def test_a_hostile_file_name_is_cleaned(joint, private_folder):
    attachment = attach(
        joint, "construction-drawings", png_upload(), name="../../etc/施工\x00图纸<1>.png"
    )
    assert attachment.original_name == "施工图纸1.png"
    assert ".." not in attachment.file.name
    assert (private_folder / attachment.file.name).is_file()


# --------------------------------------------------------------------------- removing


def test_removing_deletes_the_row_then_the_files_after_commit(
    joint, private_folder, django_capture_on_commit_callbacks
):
    keep = attach(joint, "road-excavation-application", png_upload())
    gone = attach(joint, "construction-drawings", pdf_upload())
    names = {gone.file.name, gone.preview.name}
    assert names <= stored_files(private_folder)

    with django_capture_on_commit_callbacks() as callbacks:
        remove_attachment(gone, user=joint.applicant.user)
    assert not Attachment.objects.filter(pk=gone.pk).exists()
    assert names <= stored_files(private_folder)  # still there until the commit
    for callback in callbacks:  # the files' deletion (and the archive index's update)
        callback()
    assert stored_files(private_folder) == {keep.file.name, keep.preview.name}
    event = joint.events.get(action="attachment_removed")
    assert event.note == "大型施工项目施工图纸材料：材料.pdf"


def test_a_rolled_back_removal_keeps_the_files(joint, private_folder):
    from django.db import transaction

    attachment = attach(joint, "construction-drawings")
    pk = attachment.pk
    files = stored_files(private_folder)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        remove_attachment(attachment, user=joint.applicant.user)
        raise Abort
    assert Attachment.objects.filter(pk=pk).exists()
    assert stored_files(private_folder) == files


# --------------------------------------------------------------------------- storage failure


def _blocked_by_a_file(folder, monkeypatch):
    """The storage folder's place is taken by a plain file: the real save fails."""
    folder.rmdir()
    folder.write_bytes(b"not a folder")
    return lambda: folder.is_file() and folder.read_bytes() == b"not a folder"


def _read_only(folder, monkeypatch):
    """A read-only folder. Root (as in CI) writes into one anyway, so the refusal every
    other user gets from the kernel is played by the file-system layer beneath the
    private storage: while the folder has no write bit, a save into it raises EACCES."""
    folder.chmod(0o555)
    real_save = FileSystemStorage._save

    def refusing_save(self, name, content):
        path = Path(self.path(name))
        if path.is_relative_to(folder) and not folder.stat().st_mode & stat.S_IWUSR:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", refusing_save)
    return lambda: not any(folder.iterdir())


@pytest.mark.parametrize(
    "break_folder",
    [
        pytest.param(_read_only, id="read-only-folder"),
        pytest.param(_blocked_by_a_file, id="folder-blocked-by-a-file"),
    ],
)
def test_a_storage_failure_leaves_no_row_and_no_file(
    joint, private_folder, break_folder, monkeypatch
):
    requirement = requirement_for(joint, "construction-drawings")
    untouched = break_folder(private_folder, monkeypatch)
    try:
        # The same clear Chinese message as an object store that is down.
        with pytest.raises(StorageUnavailable, match="文件存储服务暂时不可用"):
            add_attachment(joint, requirement, pdf_upload("图纸.pdf"), user=joint.applicant.user)
        assert untouched()
    finally:
        if private_folder.is_dir():
            private_folder.chmod(0o755)
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(action="uploaded").exists()
    # The application is still usable once the storage is back.
    if private_folder.is_file():
        private_folder.unlink()
        private_folder.mkdir()
    attachment = attach(joint, "construction-drawings")
    assert stored_files(private_folder) == {attachment.file.name, attachment.preview.name}


# ------------------------------------------------------------------ 可容缺 after submission


def test_deferrable_material_may_follow_after_submission_but_nothing_else(joint):
    attach_due_materials(joint)
    submitted = submit(joint)
    assert submitted.state == "submitted"
    row = next(
        r for r in checklist(submitted) if r.requirement.code == "road-occupation-fee-receipt"
    )
    assert row.status == "later"

    late = attach(submitted, "road-occupation-fee-receipt")
    assert late.pk and late.requirement.source == "deferrable"
    assert Event.objects.filter(application=submitted, action="deferred_material_supplied").exists()

    with pytest.raises(UploadRejected, match="申请已提交"):
        attach(submitted, "construction-drawings")
