"""Hooks for the apps above `applications` (window, connection — issue 15). They register
callables in their AppConfig.ready(); this app and the ones beside it (notifications)
call them without importing those apps.

- STEP_PROVIDERS: callables(application) -> [{"name", "status", "due_date", "done_at"}],
  the steps before and after the departments (综合窗口预审, 装表接电), shown on the public
  progress page and in the reviewer list.
- PORTAL_LINKS: callables(user, application | None) -> [(label, url)], links the portal
  shows on the dashboard (application None) or on an application's page.
"""

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
