"""Admin view: enter one year's holiday notice, preview the working days, then save."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .coverage import missing_years
from .models import CalendarYear
from .notice import NoticeForm, save_notice, year_preview

NOTICE_PERMISSIONS = ("workdays.add_calendaryear", "workdays.add_specialday")
URL_NAME = "workdays_notice:index"


def can_enter_notice(user) -> bool:
    return user.has_perms(NOTICE_PERMISSIONS)


def notice_url(year: int | None = None) -> str:
    url = reverse(URL_NAME)
    return f"{url}?year={year}" if year else url


def missing_calendar_context(user) -> dict:
    """For workdays/includes/missing_calendar.html: each missing year with the entry
    form's link (empty for users who may not enter a year)."""
    may_enter = user is not None and can_enter_notice(user)
    return {
        "missing": [(gap, notice_url(gap.year) if may_enter else "") for gap in missing_years()]
    }


class NoticeView(WagtailAdminTemplateMixin, FormView):
    """GET ``?year=2027`` starts the form (an entered year comes back for correction);
    POST with ``action=preview`` shows the result, ``action=save`` stores it."""

    template_name = "workdays/admin/notice.html"
    form_class = NoticeForm
    page_title = "录入年度节假日安排"
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not can_enter_notice(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "工作日历"}]

    def get_initial(self):
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            gaps = missing_years()
            year = gaps[0].year if gaps else timezone.localdate().year + 1
        if not 2000 <= year <= 2100:
            year = timezone.localdate().year + 1
        return NoticeForm.initial_for(year)

    def form_valid(self, form):
        data = form.cleaned_data
        if self.request.POST.get("action") != "save":
            preview = year_preview(data["year"], data["days"])
            return self.render_to_response(self.get_context_data(form=form, preview=preview))
        entry, computed = save_notice(data)
        text = f"{entry.year} 年工作日历已保存（{len(data['days'])} 个节假日与调休日）。"
        if computed:
            text += f"{computed} 个此前无法计算的办理期限已按新日历计算。"
        messages.success(self.request, text)
        return redirect(notice_url(entry.year))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entered_years"] = list(CalendarYear.objects.values_list("year", flat=True))
        return context
