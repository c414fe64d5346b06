"""Filtering, sorting and paging of the policy list (the rules behind the index page)."""

from django import forms
from django.core.paginator import Paginator

from regions.models import Region

from .models import IssuingBody, PolicyPage, PolicyTopic

SORTS = {
    "-date": ("-publish_date", "-written_date", "-pk"),
    "date": ("publish_date", "written_date", "pk"),
}


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label="标题或文号", required=False, max_length=100)
    year = forms.TypedChoiceField(label="年份", required=False, coerce=int, empty_value=None)
    issuer = forms.ModelChoiceField(
        label="发文机关", required=False, queryset=IssuingBody.objects.all(), empty_label="全部机关"
    )
    region = forms.ModelChoiceField(
        label="适用地区",
        required=False,
        queryset=Region.objects.filter(level__lte=2),
        empty_label="全部地区",
    )
    validity = forms.ChoiceField(
        label="有效性", required=False, choices=[("", "全部"), *PolicyPage.Validity.choices]
    )
    topic = forms.ModelChoiceField(
        label="主题分类", required=False, queryset=PolicyTopic.objects.all(), empty_label="全部分类"
    )
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[("-date", "发布日期（新→旧）"), ("date", "发布日期（旧→新）")],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部年份")] + [(y, f"{y} 年") for y in years]


def available_years(queryset) -> list[int]:
    years = {d.year for d in queryset.values_list("publish_date", flat=True) if d}
    return sorted(years, reverse=True)


def filter_policies(queryset, data):
    """Apply the validated filters in `data`; returns (queryset, bound form)."""
    form = PolicyFilterForm(data or None, years=available_years(queryset))
    if not form.is_valid():
        return queryset.order_by(*SORTS["-date"]), form
    cleaned = form.cleaned_data
    if cleaned.get("q"):
        q = cleaned["q"].strip()
        queryset = queryset.filter(title__icontains=q) | queryset.filter(
            document_number__icontains=q
        )
    if cleaned.get("year"):
        queryset = queryset.filter(publish_date__year=cleaned["year"])
    if cleaned.get("issuer"):
        queryset = queryset.filter(issuers__body=cleaned["issuer"])
    if cleaned.get("region"):
        region = cleaned["region"]
        queryset = queryset.filter(regions__in=[region, *region.children.all()])
    if cleaned.get("validity"):
        queryset = queryset.filter(validity=cleaned["validity"])
    if cleaned.get("topic"):
        queryset = queryset.filter(topic=cleaned["topic"])
    return queryset.distinct().order_by(*SORTS[cleaned.get("sort") or "-date"]), form


def policy_listing(queryset, data, per_page=15):
    queryset, form = filter_policies(queryset, data)
    paginator = Paginator(queryset.prefetch_related("issuers__body", "regions"), per_page)
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
