"""What accounts needs from the layer above it, without importing it.

An enterprise's account is reviewed as a 账号注册 application, and a reviewer sees the
applicants of the applications its departments review; both belong to `applications`,
which installs its `AccountReview` here in ApplicationsConfig.ready. The methods:

* ``check_licence(upload, formats)`` — the licence scan's bytes fit the catalogue
  material (raises ``ValidationError`` with the Chinese reason);
* ``open(applicant, *, user, licence, licence_name, submit)`` — file (and with
  ``submit`` submit) the 账号注册 application, storing the licence; returns it;
* ``opinion(applicant)`` — the latest reviewer's opinion on the account, or "";
* ``visible_applicants(user)`` — ids of the applicants a reviewer may look at;
* ``refusal(exc)`` — ``(form field or None, Chinese message)`` when ``exc`` is a
  refusal the person can act on, else None.
"""

from django.core.exceptions import ImproperlyConfigured

_installed = None


def install(review) -> None:
    global _installed
    _installed = review


def account_review():
    if _installed is None:
        raise ImproperlyConfigured("账号审核需要安装 applications 应用。")
    return _installed
