from django.core.management.base import BaseCommand, CommandError

from accounts.models import normalise_credit_code
from interconnect import simulate
from interconnect.credentials import operator_id_for
from interconnect.models import Platform


class Command(BaseCommand):
    help = (
        "模拟运营平台：按 T/CEC 102 签名加密，推送站点、状态和订单（--url 走 HTTP，否则进程内）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--credit-code", required=True, help="运营商统一社会信用代码")
        parser.add_argument("--stations", type=int, default=2)
        parser.add_argument("--orders", type=int, default=3)
        parser.add_argument(
            "--url", default="", help="省平台地址，如 http://127.0.0.1:8000；不填则进程内调用"
        )

    def handle(self, *args, credit_code, stations, orders, url, **options):
        operator_id = operator_id_for(normalise_credit_code(credit_code))
        platform = Platform.objects.filter(operator_id=operator_id, active=True).first()
        if platform is None:
            raise CommandError(
                "该运营商没有启用中的互联互通接口；请先审核通过互联互通接入"
                "（演示：manage.py interconnect_credentials CODE --approve-demo）。"
            )
        try:
            pushed, sent, failures = simulate.run(
                platform, stations=stations, orders=orders, url=url
            )
        except OSError as exc:
            raise CommandError(f"无法连接省平台 {url}：{exc}") from exc
        for failure in failures:
            self.stderr.write(failure)
        self.stdout.write(f"已推送 {pushed} 座充电站、{sent} 笔订单；失败 {len(failures)} 条。")
        if failures:
            raise CommandError("部分报文被省平台拒绝，见上。")
