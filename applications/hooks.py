"""Extension points for apps above `applications` in the layering (e.g. `subsidies`).

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
