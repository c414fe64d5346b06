"""Filtering, sorting and paging of the policy list (the rules behind the index page).

The filter choices (issuing bodies, regions, topics, years) come from the shared cache,
so the list costs the same few queries whatever the page size: count, one page of rows,
and their issuing bodies.
"""

import hashlib

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q

from cms import cache as shared
from regions.models import Region

from .policy import IssuingBody, PolicyIssuer, PolicyPage, PolicyTopic

SORTS = {
    "-date": ("-publish_date", "-written_date", "-pk"),
    "date": ("publish_date", "written_date", "pk"),
}


def _id_field(label, choices, empty_label):
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", empty_label), *choices],
    )


def filter_choices(queryset, request=None) -> dict:
    """Choices for the filter form, cached until the next publish or snippet edit."""

    def build():
        years = {d.year for d in queryset.values_list("publish_date", flat=True) if d}
        return {
            "years": sorted(years, reverse=True),
            "issuers": list(IssuingBody.objects.values_list("pk", "name")),
            "regions": list(
                Region.objects.filter(level__lte=2).order_by("code").values_list("pk", "name")
            ),
            "topics": list(PolicyTopic.objects.values_list("pk", "name")),
        }

    digest = hashlib.sha256(str(queryset.query).encode()).hexdigest()[:32]
    return shared.get_or_build(f"policy-filters:{digest}", build, request=request)


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label="标题或文号", required=False, max_length=100)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {"years": [], "issuers": [], "regions": [], "topics": []}
        self.fields["year"] = _id_field(
            "年份", [(y, f"{y} 年") for y in choices["years"]], "全部年份"
        )
        self.fields["issuer"] = _id_field("发文机关", choices["issuers"], "全部机关")
        self.fields["region"] = _id_field("适用地区", choices["regions"], "全部地区")
        self.fields["validity"] = forms.ChoiceField(
            label="有效性", required=False, choices=[("", "全部"), *PolicyPage.Validity.choices]
        )
        self.fields["topic"] = _id_field("主题分类", choices["topics"], "全部分类")
        self.fields["sort"] = forms.ChoiceField(
            label="排序",
            required=False,
            choices=[("-date", "发布日期（新→旧）"), ("date", "发布日期（旧→新）")],
        )


def available_years(queryset) -> list[int]:
    return filter_choices(queryset)["years"]


def filter_policies(queryset, data, request=None):
    """Apply the validated filters in `data`; returns (queryset, bound form)."""
    form = PolicyFilterForm(data or None, choices=filter_choices(queryset, request))
    if not form.is_valid():
        return queryset.order_by(*SORTS["-date"]), form
    cleaned = form.cleaned_data
    if cleaned.get("q"):
        q = cleaned["q"].strip()
        queryset = queryset.filter(Q(title__icontains=q) | Q(document_number__icontains=q))
    if cleaned.get("year"):
        queryset = queryset.filter(publish_date__year=cleaned["year"])
    if cleaned.get("issuer"):
        queryset = queryset.filter(issuers__body_id=cleaned["issuer"])
    if cleaned.get("region"):
        region = cleaned["region"]
        queryset = queryset.filter(Q(regions__id=region) | Q(regions__parent_id=region))
    if cleaned.get("validity"):
        queryset = queryset.filter(validity=cleaned["validity"])
    if cleaned.get("topic"):
        queryset = queryset.filter(topic_id=cleaned["topic"])
    return queryset.distinct().order_by(*SORTS[cleaned.get("sort") or "-date"]), form


def policy_listing(queryset, data, per_page=15, request=None):
    queryset, form = filter_policies(queryset, data, request)
    rows = queryset.only(
        "title", "url_path", "document_number", "publish_date", "written_date", "validity"
    ).prefetch_related(Prefetch("issuers", queryset=PolicyIssuer.objects.select_related("body")))
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(data.get("page"))
    query = data.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "policies": page,
        "paginator": paginator,
        "filter_query": query.urlencode(),
        "total": paginator.count,
    }
