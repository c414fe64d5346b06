import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.html import escape
from wagtail.models import Site

from applications import demo as applications_demo
from cms.home import demo
from cms.home.models import HomePage, PortalSettings
from guides.models import GuideIndexPage, GuidePage
from importer.build import make_source_key
from policies.models import (
    IssuingBody,
    PolicyIndexPage,
    PolicyIssuer,
    PolicyPage,
    PolicyTopic,
    normalize_document_number,
)
from regions.models import Region

EDITOR_USERNAME = "editor"


def source_key(kind: str, identity: str) -> str:
    # The importer's identity: importing the real document updates the demo page.
    return make_source_key(kind, normalize_document_number(identity))


def _child(parent, model, slug, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
        page.save_revision().publish()
    return page


def _rich(text):
    return f"<p>{escape(text)}</p>"


def _policy(index, data, position):
    key = source_key("policy", data["document_number"] or data["title"])
    page = PolicyPage.objects.filter(source_key=key).first()
    if page is not None:
        return page, False
    body = []
    for kind, text in data["body"]:
        if kind == "heading":
            body.append(("heading", {"text": text, "level": "2", "anchor": ""}))
        else:
            body.append(("paragraph", _rich(text)))
    attachments = []
    if "table" in data:
        rows = data["table"]["rows"]
        table = {"data": rows, "first_row_is_table_header": True, "first_col_is_header": False}
        attachments.append(
            ("attachment", {"title": data["table"]["title"], "content": [("table", table)]})
        )
    page = PolicyPage(
        title=data["title"],
        slug=f"policy-{position}",
        document_number=data["document_number"],
        written_date=data["written_date"],
        publish_date=data["publish_date"],
        validity=data.get("validity", PolicyPage.Validity.IN_FORCE),
        topic=PolicyTopic.objects.get(name=data["topic"]),
        summary=data["summary"],
        body=body,
        attachments=attachments,
        source_key=key,
    )
    page.issuers = [
        PolicyIssuer(body=IssuingBody.objects.get_or_create(name=name)[0], sort_order=i)
        for i, name in enumerate(data["issuers"])
    ]
    index.add_child(instance=page)
    page.regions.set(Region.objects.filter(code__in=data["regions"]))
    page.save_revision().publish()
    return page, True


def _guide(index, data, position):
    key = source_key("guide", data["title"])
    page = GuidePage.objects.filter(source_key=key).first()
    if page is not None:
        return page, False
    sections = []
    for section in data["sections"]:
        content = [("paragraph", _rich(p)) for p in section.get("paragraphs", [])]
        steps = []
        for step in section.get("steps", []):
            steps.append(
                {
                    "text": _rich(step["text"]),
                    "menu_path": step.get("menu_path", ""),
                    "fields": [
                        {"name": f, "required": True, "hint": ""} for f in step.get("fields", [])
                    ],
                    "formats": step.get("formats", []),
                    "notes": [],
                    "review_time": (
                        [{"working_days": step["review_days"], "remark": "高峰期顺延"}]
                        if "review_days" in step
                        else []
                    ),
                }
            )
        if steps:
            content.append(("steps", steps))
        sections.append(("section", {"title": section["title"], "anchor": "", "content": content}))
    page = GuidePage(
        title=data["title"],
        slug=f"guide-{position}",
        intro=_rich(data["intro"]),
        sections=sections,
        source_key=key,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page, True


class Command(BaseCommand):
    help = "载入演示内容（栏目、示例政策与帮助、演示编辑账号），可重复执行。"

    @transaction.atomic
    def handle(self, *args, **options):
        home = HomePage.objects.get()
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "127.0.0.1", 8000
        site.save()
        PortalSettings.objects.update_or_create(
            site=site,
            defaults={
                "organiser": "河南省充电基础设施服务门户（演示）",
                "hotline": "0371-00000000",
            },
        )
        for i, name in enumerate(demo.TOPICS):
            PolicyTopic.objects.get_or_create(name=name, defaults={"sort_order": i})
        policies = _child(
            home,
            PolicyIndexPage,
            "policies",
            title="政策汇编",
            intro="充电基础设施相关的政策文件，可按年份、发文机关、地区、有效性和主题筛选。",
        )
        guides = _child(
            home,
            GuideIndexPage,
            "help",
            title="使用帮助",
            intro="账号注册、运营商注册、互联互通接入、建站资料与补贴申请的分步说明。",
        )
        created = 0
        for position, data in enumerate(demo.POLICIES, start=1):
            created += _policy(policies, data, position)[1]
        for position, data in enumerate(demo.GUIDES, start=1):
            created += _guide(guides, data, position)[1]
        self.stdout.write(f"演示内容已就绪（本次新建 {created} 个页面）。")
        self._editor()
        # Example subsidy rules (示例) before the demo applications that are computed with
        # them; by command name, as cms does not import the app.
        call_command("load_subsidy_demo", stdout=self.stdout)
        applications_demo.load(self.stdout)

    def _editor(self):
        """Create the demo editor; the printed password always works."""
        credentials = settings.VAR_DIR / "demo-editor.txt"
        password = None
        if credentials.exists():
            password = credentials.read_text(encoding="utf-8").split()[1]
        user_model = get_user_model()
        user = user_model.objects.filter(username=EDITOR_USERNAME).first()
        if user is None:
            user = user_model(username=EDITOR_USERNAME, first_name="演示编辑", is_staff=True)
        if password is None or not user.check_password(password):
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            credentials.write_text(f"{EDITOR_USERNAME}\n{password}\n", encoding="utf-8")
            credentials.chmod(0o600)
        user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"后台地址 http://127.0.0.1:8000/admin/  "
                f"演示编辑账号：{EDITOR_USERNAME}  密码：{password}"
            )
        )
