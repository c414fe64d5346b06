# Two commands matter: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
DOCS   ?=
PYTEST_ARGS ?=

.PHONY: run test install lint check-deploy test-unit test-integration test-browser services lock clean bench test-clock serve mutation

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# pango and a CJK font for the printed documents (WeasyPrint); idempotent
	ops/pdf install
	$(PIP) install -q --upgrade pip
	@# replaced by rapidocr + opencv-python-headless: both OpenCV builds would own cv2
	$(PIP) uninstall -y -q rapidocr-onnxruntime opencv-python 2>/dev/null || true
	$(PIP) install -q -c requirements.lock -e ".[test]"
	@# the documents' fonts, cut once from Noto CJK and DejaVu (about a minute; idempotent)
	$(PY) manage.py build_document_fonts
	@touch $@

install: $(VENV)/.installed

## make run: migrate, load demo content (and DOCS=folder of documents), serve on 127.0.0.1:8000;
## the archive worker (text recognition of uploads), the notifications worker (e-mail, SMS) and
## the daily reminders (notify_daily) run beside the server and stop with it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@if [ -n "$(DOCS)" ]; then $(PY) manage.py import_document $(DOCS) --kind auto --publish; fi
	$(PY) manage.py db_worker --backend archive --queue-name '*' --interval 2 --no-reload & WORKER=$$!; \
	$(PY) manage.py db_worker --backend notifications --queue-name '*' --interval 2 --no-reload & NOTIFIER=$$!; \
	while true; do $(PY) manage.py notify_daily || true; sleep 86400; done & DAILY=$$!; \
	trap 'kill $$WORKER $$NOTIFIER $$DAILY 2>/dev/null' EXIT INT TERM; $(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, deploy check, the embedded suite (SQLite, local files, database search,
## real Chromium), then the integration suite on the real PostgreSQL, MinIO and OpenSearch
## started by ops/services; the Chinese search cases run again there. The unit suite runs again
## with the clock moved past the calendar's end (test-clock), so no test depends on today.
test: install lint check-deploy test-unit test-clock test-integration

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=cms.settings.test

check-deploy: install
	DJANGO_SECRET_KEY="ci-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	DJANGO_ALLOWED_HOSTS=portal.example.cn \
	PORTAL_FIELD_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	$(PY) manage.py check --deploy --fail-level WARNING --settings=cms.settings.production

test-unit: install
	ops/browser install
	$(VENV)/bin/pytest -m "not integration" $(PYTEST_ARGS)

## make test-clock: the unit suite (without Chromium) with the whole run moved to the first
## working day of the year after the seeded calendar and to three years ahead, so a test
## that quietly depends on today's date fails now rather than next January. Not part of
## test; about 2 minutes per date.
CLOCK_DATES ?= 2027-01-04 2029-06-01
test-clock: install
	@for day in $(CLOCK_DATES); do \
	  echo "== unit suite at $$day"; \
	  PORTAL_TEST_CLOCK=$$day $(VENV)/bin/pytest -m "not integration and not browser" -q $(PYTEST_ARGS) || exit 1; \
	done

## make mutation: mutmut on applications/rules.py, uploads.py, access.py, workdays/calendar.py
## and search/text.py, each in a scratch copy under var/mutation/ judged by its own tests;
## prints the kill rate per module (target 90 %). Not part of test; slow (tens of minutes).
MUTATION_MODULES ?=
mutation: install
	$(PY) tests/mutation.py $(MUTATION_MODULES)

test-integration: install
	ops/services start
	eval "$$(ops/services env)" && $(VENV)/bin/pytest tests/integration tests/search $(PYTEST_ARGS)

services:
	ops/services start

## make serve: the production shape locally (ops/serve): production settings, migrate,
## collectstatic, gunicorn (ops/gunicorn.conf.py) behind Varnish on 127.0.0.1:56081, Redis cache.
serve: install
	ops/serve

## make bench: starts the services, then runs every benchmark (see bench/README.md) and fails
## when one misses its target (exit 1) or cannot run (2); all of them run either way.
##   upload_memory.py   200 MB PDF through the API: peak memory growth < 50 MB, throughput
##   archive_extract.py OCR images/s and recognition accuracy; ingest files/s end to end,
##                      embedded and on PostgreSQL + MinIO + OpenSearch (--services)
##   ocr_accuracy.py    character and exact-field accuracy of the OCR engine on 30 degraded
##                      scans, beside rapidocr-onnxruntime 1.4.4 from /tmp/ocr-old-venv
##                      (OCR_BASELINE_PYTHON) when that throwaway virtualenv exists
##   interconnect.py    T/CEC 102 status notifications/s and orders/s through gunicorn,
##                      p50/p95, SQLite and PostgreSQL, against a trivial JSON POST view
##   archive_search.py  archive search p50/p95 at 10 000 and 100 000 documents, OpenSearch
##                      (p95 < 50 ms at 100 000) and the database engine
##   public_pages.py    req/s (wrk) of nginx static, stock Wagtail, this portal uncached and
##                      through Varnish; publish -> visible through the cache (<= 1 s)
##   statistics_page.py    the managers' statistics page at 100 000 cases on PostgreSQL (< 1 s)
##   document_pdf.py    the 联办申请表 PDF against WeasyPrint's one-line page (median < 300 ms)
## Not part of test; takes about 15 minutes.
bench: install
	ops/services start
	@eval "$$(ops/services env)"; rc=0; \
	for bench in "upload_memory.py" "archive_extract.py --services" "ocr_accuracy.py" "archive_search.py" "public_pages.py" "interconnect.py" "statistics_page.py" "document_pdf.py" "subsidy_report.py"; do \
	  echo "== bench/$$bench"; \
	  $(PY) bench/$$bench || { status=$$?; [ $$status -gt $$rc ] && rc=$$status; }; \
	  echo; \
	done; \
	exit $$rc

lock: install
	$(PIP) freeze --exclude-editable | grep -iv henan-charging-portal \
	  | sed '1i # Full dependency tree, pinned. Regenerate with `make lock` after changing pyproject.toml.' \
	  > requirements.lock

clean:
	rm -rf var .pytest_cache test-artifacts
