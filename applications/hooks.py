"""Extension points for apps above `applications` in the layering (subsidies, window,
connection, documents).

Those apps register callables in their AppConfig.ready(); applications calls them and
never imports the apps. Each list is called in registration order.

- DETAIL_CHECKS: fn(application, detail) -> list[str]; run when the detail form is
  saved (the 下一步 of a multi-step form): a non-empty answer refuses the save (409).
- SUBMIT_CHECKS: fn(application) -> list[str]; more problems for submission.
- ON_SUBMITTED: fn(application) -> None; inside the submit transaction, after the state
  changed (record what the application was computed with).
- SUMMARIES: fn(application) -> dict | None; extra facts shown on the applicant's form,
  the review page and the API (each dict has a "title" and a "template" to include).
- EXPORT_COLUMNS: (key, heading, fn(application ids) -> {application id: value}); extra
  columns of the reviewers' list export.

Around the departments (window, connection):
- ACCEPTANCE_GATES: fn(application) -> bool; a true answer sends a submission to the
  综合窗口 for 预审 before any department receives it.
- COMPLETION_STEPS: fn(application) -> bool; a true answer keeps an approved case open
  for 装表接电 instead of completing it.
- STEP_PROVIDERS: fn(application) -> [{"name", "status", "due_date", "done_at"}], the
  steps before and after the departments, on the progress page and the reviewer list.
- PORTAL_LINKS: fn(user, application | None) -> [(label, url)], links on the portal's
  dashboard (application None) or an application's page.
- STAFF_FILING: fn(user, kind) -> url | None, where staff file on an applicant's behalf.
- ON_BEHALF: fn(user, application) -> bool; a true answer lets `user` act for an applicant
  without an online account (the county's 综合窗口 uploads the 供电合同 they signed).
"""

DETAIL_CHECKS = []
SUBMIT_CHECKS = []
ON_SUBMITTED = []
SUMMARIES = []
EXPORT_COLUMNS = []


def detail_problems(application, detail) -> list[str]:
    return [problem for check in DETAIL_CHECKS for problem in check(application, detail)]


def submit_problems(application) -> list[str]:
    return [problem for check in SUBMIT_CHECKS for problem in check(application)]


def submitted(application) -> None:
    for callback in ON_SUBMITTED:
        callback(application)


def summaries(application) -> list[dict]:
    return [s for s in (fn(application) for fn in SUMMARIES) if s]


ACCEPTANCE_GATES: list = []
COMPLETION_STEPS: list = []


def register(registry: list, fn) -> None:
    """Add `fn` once (AppConfig.ready may run twice in tests)."""
    if fn not in registry:
        registry.append(fn)


STEP_PROVIDERS: list = []
PORTAL_LINKS: list = []


def steps(application) -> list[dict]:
    return [row for provider in STEP_PROVIDERS for row in provider(application)]


def step_summary(application) -> str:
    """One line for a list: '综合窗口预审：已受理；现场踏勘：办理中（2026-06-12前）'."""
    parts = []
    for row in steps(application):
        due = f"（{row['due_date']:%Y-%m-%d}前）" if row.get("due_date") else ""
        parts.append(f"{row['name']}：{row['status']}{due if row['status'] != '已完成' else ''}")
    return "；".join(parts)


def portal_links(user, application=None) -> list[tuple[str, str]]:
    return [link for provider in PORTAL_LINKS for link in provider(user, application)]


# callables(user, kind) -> url | None: where staff file on an applicant's behalf (the
# 综合窗口 intake); the portal sends window staff there instead of refusing them.
STAFF_FILING: list = []


def staff_filing_url(user, kind) -> str | None:
    for provider in STAFF_FILING:
        url = provider(user, kind)
        if url:
            return url
    return None


ON_BEHALF: list = []


def acts_on_behalf(user, application) -> bool:
    return any(check(user, application) for check in ON_BEHALF)
