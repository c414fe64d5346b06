"""A small corpus and the Chinese search cases every backend must pass the same way."""

from guides.models import GuidePage
from policies.models import IssuingBody, PolicyIssuer, PolicyPage


def _p(text):
    return f"<p>{text}</p>"


def build_corpus(policy_index, guide_index):
    """Publish a handful of pages whose titles and bodies exercise sub-word matching."""
    pages = {}

    def policy(key, title, number, body, issuer="信阳市城市管理局"):
        page = PolicyPage(
            title=title,
            slug=key,
            document_number=number,
            body=[("paragraph", _p(body))],
        )
        page.issuers = [PolicyIssuer(body=IssuingBody.objects.get_or_create(name=issuer)[0])]
        policy_index.add_child(instance=page)
        page.save_revision().publish()
        pages[key] = page

    def guide(key, title, step_text, paragraph=""):
        page = GuidePage(
            title=title,
            slug=key,
            sections=[
                (
                    "section",
                    {
                        "title": title,
                        "anchor": "",
                        "content": [
                            ("paragraph", _p(paragraph)),
                            (
                                "steps",
                                [
                                    {
                                        "text": _p(step_text),
                                        "menu_path": "",
                                        "fields": [],
                                        "formats": [],
                                        "notes": [],
                                        "review_time": [],
                                    }
                                ],
                            ),
                        ],
                    },
                )
            ],
        )
        guide_index.add_child(instance=page)
        page.save_revision().publish()
        pages[key] = page

    guide(
        "subsidy",
        "建设补贴申请步骤说明",
        "选择充电站后录入发票信息，使用金额之和与发票金额一致。",
    )
    guide(
        "operator",
        "充电设施运营商账号注册",
        "填写企业名称和统一社会信用代码 91410100MA44XXXX0Q，等待审核。",
    )
    guide(
        "admission",
        "企业准入条件说明",
        "申请运营商注册的企业，注册资金不少于一千万元，需有八名持证电工。",
    )
    guide(
        "interop",
        "平台互联互通接入",
        "对接需要排队，15个工作日，高峰期顺延；接入后可申请补贴。",
    )
    policy(
        "plan",
        "关于印发充电桩报装一件事实施方案的通知",
        "信电〔2024〕141号",
        "低压居民新装、高压新装并联审批。",
    )
    policy(
        "acceptance",
        "充电设施竣工验收工作要求",
        "豫充〔2025〕7号",
        "竣工验收报告按照 NB/T 33004-2020 规范出具，财务决算报告须带二维码认证。",
        issuer="河南省发展和改革委员会",
    )
    return pages


# query → slug expected first (the "top result" every backend must agree on)
TOP_RESULT_CASES = [
    ("补贴", "subsidy"),  # 2 chars inside a longer title, beats a body-only mention
    ("运营商", "operator"),  # 3 chars inside a title
    ("报装", "plan"),
    ("准入条件", "admission"),  # 4 chars
    ("互联互通", "interop"),
    ("建设 补贴", "subsidy"),  # multi-word
    ("NB/T 33004-2020", "acceptance"),  # mixed ASCII code in body text
    ("91410100MA44XXXX0Q", "operator"),  # credit code
    ("15个工作日", "interop"),  # digits + Chinese
    ("信电〔2024〕141号", "plan"),  # 发文字号, exact
    ("141号", "plan"),  # part of a 发文字号
    ("竣工", "acceptance"),
    ("桩", "plan"),  # a single character
]

# query → slugs that must all be found (recall, in any order)
RECALL_CASES = [
    ("补贴", {"subsidy", "interop"}),
    ("运营商", {"operator", "admission"}),
    ("发票", {"subsidy"}),
]

NO_MATCH_QUERIES = ["补助金额表格", "xyz123", "？？"]
