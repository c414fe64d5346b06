"""PDFium (pypdfium2) is not thread-safe: every caller in the process takes this lock,
the upload checker and preview renderer (applications.uploads) and the archive's text
extraction (archive.extract) alike, so they never run into PDFium at the same time."""

import threading

PDFIUM_LOCK = threading.Lock()
