"""Reading a PDF back (pypdfium2) and building cases in given states."""

import ctypes
import io

import pypdfium2
import pypdfium2.raw as pdfium_c

from applications import workflow
from applications.models import Application, State
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    ready_joint_application,
    submit,
)


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pdf_fonts(data: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded?) of every text object on every page."""
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    fonts = set()
    try:
        for page in document:
            textpage = page.get_textpage()
            for index in range(textpage.count_chars()):
                text_object = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
                if not text_object:
                    continue
                font = pdfium_c.FPDFTextObj_GetFont(text_object)
                name = ctypes.create_string_buffer(200)
                pdfium_c.FPDFFont_GetBaseFontName(font, name, 200)
                fonts.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    finally:
        document.close()
    return fonts


def joint_case(applicant, items=(POWER_ITEM, ROAD_ITEM), **detail) -> Application:
    """Submitted and with the departments: where the county's 综合窗口 is staffed, its
    clerk accepts it first."""
    application = submit(ready_joint_application(applicant, list(items), **detail))
    if application.state == State.AT_WINDOW:
        from window.models import WindowDesk

        clerk = WindowDesk.objects.get(region=application.region).members.first()
        workflow.accept_at_window(application, user=clerk)
        application = Application.objects.get(pk=application.pk)
    return application


def decide_all(application, reviewers, approve=True, opinion="同意") -> Application:
    for review in application.reviews.select_related("department"):
        workflow.decide(
            application,
            user=reviewers[review.department.code],
            approve=approve,
            opinion=opinion,
        )
    return Application.objects.get(pk=application.pk)


def offer_power_plan(
    application, power_reviewer, text="低压接入，计量装置装于车位旁"
) -> Application:
    """装表接电 up to 供电's 供电方案（合同）: the survey confirmed and done, the plan offered."""
    from connection import steps

    steps.confirm_survey(application, user=power_reviewer)
    steps.record_survey(application, user=power_reviewer)
    steps.offer_plan(application, user=power_reviewer, text=text, capacity_kva="160")
    return Application.objects.get(pk=application.pk)
