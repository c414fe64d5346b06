"""Applicant accounts: register, log in and out, see the account, manage API tokens."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import APIToken

from catalogue.models import ApplicantType, ApplicationKind, ServiceItem
from cms.crypto import mask
from cms.storage import StorageUnavailable
from regions.choices import county_label

from . import services
from .forms import ENTERPRISE_TYPES, PortalLoginForm, RegistrationForm, TokenForm
from .hooks import account_review
from .models import Applicant

BACKEND = "accounts.backends.PortalBackend"


def _account_item():
    return ServiceItem.objects.filter(kind=ApplicationKind.ACCOUNT).first()


def _account_application(applicant):
    if applicant is None:
        return None
    return (
        applicant.applications.filter(kind=ApplicationKind.ACCOUNT)
        .prefetch_related("reviews__department")
        .order_by("-created_at", "-pk")
        .first()
    )


def _add_model_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
def register(request):
    if request.user.is_authenticated:
        messages.info(request, "您已登录，无需重复注册。")
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register(**form.service_arguments())
        except StorageUnavailable as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_model_errors(form, exc)
        except IntegrityError:
            form.add_error(
                None, "用户名或统一社会信用代码刚刚已被注册，请检查后重新提交；账号没有创建。"
            )
        except Exception as exc:
            refusal = account_review().refusal(exc)  # the licence refused, a workflow rule
            if refusal is None:
                raise
            form.add_error(*refusal)
        else:
            login(request, registration.user, backend=BACKEND)
            return redirect("accounts:registered")
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "enterprise_types": [str(t) for t in ENTERPRISE_TYPES],
            "account_item": _account_item(),
        },
    )


@login_required
def registered(request):
    applicant = getattr(request.user, "applicant", None)
    if applicant is None:
        return redirect("accounts:profile")
    application = _account_application(applicant)
    review = application.reviews.all()[0] if application and application.reviews.all() else None
    return render(
        request,
        "accounts/registered.html",
        {
            "applicant": applicant,
            "application": application,
            "review": review,
            "account_item": _account_item(),
        },
    )


class PortalLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form_class(self):
        return PortalLoginForm


def _masked(value) -> str:
    if not value:
        return ""
    return value.masked if hasattr(value, "masked") else mask(value)


def _may_use_tokens(applicant) -> bool:
    return (
        applicant is not None
        and applicant.kind in ENTERPRISE_TYPES
        and applicant.status == Applicant.Status.ACTIVE
    )


@login_required
def profile(request):
    applicant = getattr(request.user, "applicant", None)
    application = _account_application(applicant)
    review = None
    if application is not None:
        reviews = list(application.reviews.all())
        review = reviews[0] if reviews else None
    return render(
        request,
        "accounts/profile.html",
        {
            "applicant": applicant,
            "region_label": county_label(applicant.region) if applicant else "",
            "id_number_masked": _masked(applicant.id_number) if applicant else "",
            "is_resident": applicant is not None and applicant.kind == ApplicantType.RESIDENT,
            "application": application,
            "review": review,
            "account_review": review,
            "may_use_tokens": _may_use_tokens(applicant),
        },
    )


def _tokens_page(request, form, plaintext=None, created=None):
    applicant = getattr(request.user, "applicant", None)
    response = render(
        request,
        "accounts/tokens.html",
        {
            "applicant": applicant,
            "may_use_tokens": _may_use_tokens(applicant),
            "tokens": APIToken.objects.filter(user=request.user).order_by("-created"),
            "form": form,
            "plaintext": plaintext,
            "created": created,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def tokens(request):
    """List, create and revoke API tokens.

    A new token's plaintext is shown once, in the answer to the POST that made it: it is
    never stored (only its digest is), not even in the session for a redirect.
    """
    applicant = getattr(request.user, "applicant", None)
    if request.method != "POST":
        return _tokens_page(request, TokenForm())
    if not _may_use_tokens(applicant):
        messages.error(request, "只有审核通过的企业账号可以创建 API 令牌。")
        return redirect("accounts:tokens")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form)
    token, plaintext = APIToken.create_token(user=request.user, name=form.cleaned_data["name"])
    return _tokens_page(request, TokenForm(), plaintext=plaintext, created=token)


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        token.revoke()
        messages.success(request, f"令牌“{token.name}”已吊销，使用它的系统将无法再访问。")
    return redirect("accounts:tokens")
