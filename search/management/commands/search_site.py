import json

from django.core.management.base import BaseCommand

from search.service import site_search


class Command(BaseCommand):
    help = "在站内搜索政策与帮助页面，按相关度输出结果（--json 输出 JSON 数组）。"

    def add_arguments(self, parser):
        parser.add_argument("query", help="搜索词，例如 补贴")
        parser.add_argument("--limit", type=int, default=10, help="最多输出多少条（默认 10）")
        parser.add_argument("--type", dest="page_type", help="只看某类页面，如 policies.policypage")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, query, limit, page_type, **options):
        outcome = site_search(query, page_type=page_type)
        hits = outcome.hits[: max(limit, 0)]
        if options["json"]:
            self.stdout.write(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
            return
        if not hits:
            self.stdout.write(f"没有找到与“{query}”相关的内容。")
            return
        self.stdout.write(f"共 {outcome.total} 条结果（显示前 {len(hits)} 条）：")
        for rank, hit in enumerate(hits, start=1):
            self.stdout.write(f"{rank}. [{hit.type_label}] {hit.title} {hit.section}  {hit.url}")
