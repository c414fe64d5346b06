"""Print an operator's T/CEC 102 credentials; --approve-demo files and approves a
互联互通接入 with fresh random secrets (demos and tests only, never in production).

It lives in `applications` because approving goes through the review workflow; the
`interconnect` app itself never imports `applications`.
"""

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Applicant, normalise_credit_code
from applications.demo import approve_interconnection_demo
from interconnect import credentials
from interconnect.models import Platform


def is_production() -> bool:
    module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE")
    return (module or "").endswith(".production") or getattr(
        settings, "PORTAL_REQUIRE_FIELD_KEYS", False
    )


class Command(BaseCommand):
    help = "打印运营商的互联互通（T/CEC 102）接口凭据；--approve-demo 为演示生成并审核通过一份互联互通接入。"

    def add_arguments(self, parser):
        parser.add_argument("credit_code", help="运营商的统一社会信用代码")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（含明文密钥）")
        parser.add_argument(
            "--approve-demo", action="store_true", help="生成随机密钥并审核通过（仅限演示/测试）"
        )
        parser.add_argument("--revoke", action="store_true", help="停用该运营商的接口")

    def handle(self, *args, credit_code, **options):
        code = normalise_credit_code(credit_code)
        applicant = Applicant.objects.filter(credit_code=code).first()
        if applicant is None:
            raise CommandError(f"没有统一社会信用代码为 {code} 的申请人。")
        if options["revoke"]:
            done = credentials.revoke(applicant)
            self.stdout.write("接口已停用。" if done else "该运营商没有启用中的接口。")
            return
        if options["approve_demo"]:
            if is_production():
                raise CommandError("生产环境不能用 --approve-demo 生成密钥。")
            try:
                approve_interconnection_demo(applicant)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        platform = Platform.objects.filter(applicant=applicant, active=True).first()
        if platform is None:
            raise CommandError("该运营商没有审核通过的互联互通接入。")
        if options["json"]:
            self.stdout.write(
                json.dumps({"operator_id": platform.operator_id, **platform.secrets()})
            )
        else:
            self.stdout.write(
                f"OperatorID {platform.operator_id}，依据 {platform.source}，"
                f"启用于 {platform.activated_at:%Y-%m-%d %H:%M}（密钥请用 --json 输出）。"
            )
