"""Wagtail admin: 补贴规则 as a snippet (editors), and the finance report (reviewers)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from catalogue.reviewers import is_reviewer

from . import report
from .forms import RuleSetForm
from .models import SubsidyRuleSet


class RuleSetViewSet(SnippetViewSet):
    model = SubsidyRuleSet
    icon = "tasks"
    menu_label = "补贴规则"
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["year", "title", Column("kinds_label", label="补贴类型"), "version", "policy"]
    ordering = ["-year"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("year"), FieldPanel("title")]),
            FieldRowPanel([FieldPanel("policy"), FieldPanel("is_example")]),
            MultiFieldPanel(
                [
                    FieldPanel("construction_enabled"),
                    InlinePanel("ratios", label="奖补比例（站点类型 × 建设场所）"),
                    FieldPanel("eligible_equipment"),
                    FieldRowPanel(
                        [
                            FieldPanel("cap_per_kw"),
                            FieldPanel("cap_per_station"),
                            FieldPanel("cap_per_applicant"),
                        ]
                    ),
                ],
                heading="建设补贴",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("operation_enabled"),
                    FieldRowPanel([FieldPanel("rate_per_kwh"), FieldPanel("min_order_kwh")]),
                    FieldPanel("public_only"),
                    FieldRowPanel(
                        [
                            FieldPanel("operation_cap_per_station"),
                            FieldPanel("operation_cap_per_applicant"),
                        ]
                    ),
                ],
                heading="运营补贴",
            ),
        ],
        base_form_class=RuleSetForm,
    )


register_snippet(RuleSetViewSet)


@hooks.register("register_admin_urls")
def _report_urls():
    return [
        path("subsidies/report/", report.report_view, name="subsidy_report"),
        path("subsidies/report.xlsx", report.report_xlsx, name="subsidy_report_xlsx"),
    ]


@hooks.register("register_admin_menu_item")
def _report_menu():
    class ReportItem(MenuItem):
        def is_shown(self, request):
            return is_reviewer(request.user)

    return ReportItem("补贴资金统计", reverse("subsidy_report"), icon_name="table", order=265)
