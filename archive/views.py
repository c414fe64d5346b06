"""档案检索 in the Wagtail admin: full-text search over the archive for reviewers.

Superusers and department members only (anybody else gets a 404); each sees what
`archive.search.archive_search` lets them see. Filters are links that tick or untick
one value while keeping the query and the other filters.
"""

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from applications.access import is_reviewer
from applications.files import serve_file
from applications.models import State
from applications.workflow import record_view
from catalogue.models import ApplicationKind, Department
from cms.middleware import bad_request
from regions.models import Region

from .models import ArchiveEntry
from .search import FACETS, ArchiveResults, QueryTooLong, archive_search
from .wagtail_hooks import get_entry

PER_PAGE = 20
MAX_PAGE = 10_000  # beyond this the offset would overflow the database's integers
IMAGE_FORMATS = ("jpg", "png")

FACET_TITLES = {
    "kind": "档案类别",
    "application_kind": "申请类型",
    "state": "申请状态",
    "department": "审核部门",
    "region": "地区（市）",
    "year": "年度",
}


def _labels(name: str, values) -> dict:
    values = list(values)
    if name == "kind":
        return dict(ArchiveEntry.Kind.choices)
    if name == "application_kind":
        return dict(ApplicationKind.choices)
    if name == "state":
        return dict(State.choices)
    if name == "department":
        return dict(Department.objects.filter(code__in=values).values_list("code", "name"))
    if name == "region":
        return dict(Region.objects.filter(code__in=values).values_list("code", "name"))
    if name == "year":
        return {value: f"{value}年" for value in values}
    return {}


def _safe_reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class ArchiveSearchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "archive/search/index.html"
    page_title = "档案检索"
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not is_reviewer(request.user):
            raise Http404("页面不存在")
        years = request.GET.getlist("year")
        if any(not (y.isascii() and y.isdigit() and len(y) == 4) for y in years if y):
            return bad_request(request, "年份应为四位数字，例如 2024。")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "档案检索"}]

    # --- query string helpers

    def _params(self) -> list[tuple[str, str]]:
        return [
            (key, value)
            for key in self.request.GET
            for value in self.request.GET.getlist(key)
            if key != "page" and value != ""
        ]

    def _url(self, params) -> str:
        return f"{self.request.path}?{urlencode(params)}" if params else self.request.path

    def _toggle_url(self, name: str, value) -> str:
        params = self._params()
        pair = (name, str(value))
        params = [p for p in params if p != pair] if pair in params else [*params, pair]
        return self._url(params)

    def _page_url(self, page: int) -> str:
        return self._url([*self._params(), ("page", str(page))])

    def render_to_response(self, context, **kwargs):
        # A query past the limits is the user's to fix: say so, with 400.
        status = 400 if context.get("query_error") else 200
        return super().render_to_response(context, status=status, **kwargs)

    # --- context

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        query = request.GET.get("q", "").strip()
        filters = {name: request.GET.getlist(name) for name in FACETS}
        try:
            page = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
        except ValueError:
            page = 1
        try:
            results = archive_search(request.user, query, **filters, page=page, per_page=PER_PAGE)
        except QueryTooLong as exc:
            context["query_error"] = str(exc)
            results = ArchiveResults(query, [], 0, {name: {} for name in FACETS}, "")

        groups = []
        for name in FACETS:
            counts = dict(results.facets.get(name, {}))
            selected = results.filters.get(name, [])
            for value in selected:
                counts.setdefault(value, 0)
            labels = _labels(name, counts)
            options = [
                {
                    "value": value,
                    "label": labels.get(value, str(value)),
                    "count": count,
                    "selected": value in selected,
                    "url": self._toggle_url(name, value),
                }
                for value, count in counts.items()
            ]
            if options:
                groups.append({"name": name, "title": FACET_TITLES[name], "options": options})

        for hit in results.hits:
            self._decorate(hit)

        pages = range(max(1, results.page - 3), min(results.pages, results.page + 3) + 1)
        context.update(
            {
                "query": query,
                "results": results,
                "facet_groups": groups,
                "any_filter": bool(results.filters),
                "clear_filters_url": self._url([("q", query)] if query else []),
                "page_links": [
                    {"number": n, "url": self._page_url(n), "current": n == results.page}
                    for n in pages
                ],
                "previous_url": self._page_url(results.page - 1) if results.has_previous else "",
                "next_url": self._page_url(results.page + 1) if results.has_next else "",
            }
        )
        return context

    def _decorate(self, hit):
        entry = hit.entry
        attachment = entry.attachment if entry.attachment_id else None
        hit.preview_url = None
        hit.application_url = None
        hit.reference = None
        if attachment is not None:
            application = attachment.application
            hit.reference = application.reference
            hit.application_label = (
                f"{application.get_kind_display()} · {application.get_state_display()}"
            )
            if attachment.preview or attachment.is_image:
                hit.preview_url = _safe_reverse("review:preview", attachment.pk) or (
                    f"/my/files/{attachment.pk}/preview/"
                )
            hit.application_url = _safe_reverse("review:application", application.reference)
        elif entry.format in IMAGE_FORMATS:
            hit.preview_url = _safe_reverse("archive_search:file", entry.pk)
        hit.file_url = _safe_reverse("archive_search:file", entry.pk)
        hit.inspect_url = (
            _safe_reverse("archive_entries:inspect", entry.pk)
            if self.request.user.is_superuser
            else None
        )


def entry_file(request, pk):
    """The stored file (原件) of one archive entry the user may see: images shown
    inline, PDFs downloaded (served under a sandboxing CSP, a browser's PDF viewer
    would not run). Each view is written to the audit log, and to the application's
    history when the file belongs to one."""
    if not is_reviewer(request.user):
        raise Http404("页面不存在")
    entry = get_entry(request.user, pk)
    stored = entry.stored_file
    if not stored.name:
        raise Http404("文件不存在或已被删除")
    log(instance=entry, action="archive.view_file", user=request.user)
    if entry.attachment_id:
        attachment = entry.attachment
        record_view(
            attachment.application,
            request.user,
            "downloaded",
            f"{attachment.requirement.name}：{attachment.original_name}（档案检索）",
        )
    return serve_file(
        stored.name,
        original_name=entry.original_name,
        fmt=entry.format,
        as_attachment=entry.format not in IMAGE_FORMATS,
    )
