"""WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES when it is imported; the upload checks
rely on a truncated image failing to decode, so rendering a document must not turn
that off for the rest of the process."""

import io

import pytest
from PIL import Image

from applications.uploads import UploadRejected, inspect_upload


def _truncated_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    return data[: len(data) * 6 // 10]


def test_a_truncated_photo_is_refused_after_weasyprint_was_loaded():
    from documents.rendering import load_weasyprint

    load_weasyprint()
    with pytest.raises(UploadRejected):
        inspect_upload(io.BytesIO(_truncated_jpeg()), name="照片.jpg", formats="jpg")
