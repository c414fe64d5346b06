"""Notification events as data: their names, default texts and the workflow actions
that raise them.

A new workflow step (e.g. the 窗口 acceptance of issue 15) plugs in by adding its
`Event.action` to `ACTION_EVENTS`, its event to `EVENTS` and a default text to
`DEFAULT_TEMPLATES` (plus a data migration seeding the template row); nothing else.

Template variables: reference, kind, applicant, department, note, state, url, today,
and per event: items (一次性告知), lock_date, due_soon / overdue (digest), level, reply.
"""

# event name -> (label shown to staff, who receives it)
EVENTS = {
    "account_approved": ("账号审核通过", "applicant"),
    "account_rejected": ("账号审核未通过", "applicant"),
    "supplement_requested": ("一次性告知补正", "applicant"),
    "department_approved": ("部门审核通过", "applicant"),
    "department_rejected": ("部门审核不通过", "applicant"),
    "case_completed": ("办件办结", "applicant"),
    "documents_ready": ("文书已出具", "applicant"),
    "account_lock_warning": ("账号将于 7 日后锁定", "applicant"),
    "review_digest": ("审核每日提醒", "reviewer"),
    "rectification_opened": ("差评整改交办", "reviewer"),
    "rectification_replied": ("差评整改答复", "applicant"),
    "rectification_appealed": ("差评整改申诉", "reviewer"),
    "window_accepted": ("窗口受理", "applicant"),
    "window_not_accepted": ("窗口不予受理", "applicant"),
    "survey_scheduled": ("现场踏勘时间确定", "applicant"),
    "plan_offered": ("供电方案（合同）待签署", "applicant"),
}
EVENT_CHOICES = [(name, label) for name, (label, _) in EVENTS.items()]


def event_label(name: str) -> str:
    return EVENTS.get(name, (name, ""))[0]


# Event.action -> notification event, for steps of any application kind except the
# account application (handled in `events_for`). Later steps add their lines here.
ACTION_EVENTS = {
    "supplement_requested": "supplement_requested",
    "approved": "department_approved",
    "rejected": "department_rejected",
    "documents_ready": "documents_ready",
    "accepted": "window_accepted",
    "window_supplement_requested": "supplement_requested",
    "not_accepted": "window_not_accepted",
    "survey_confirmed": "survey_scheduled",
    "survey_moved": "survey_scheduled",
    "plan_offered": "plan_offered",
}
FINISHED_STATES = ("approved", "rejected")
# Actions that can finish a case: a department's decision, or 装表接电 (issue 15).
COMPLETING_ACTIONS = ("approved", "rejected", "connected")


def events_for(event) -> list[str]:
    """The notification events one `applications.Event` row raises."""
    application = event.application
    completed = event.to_state in FINISHED_STATES and event.from_state != event.to_state
    if application.kind == "account":
        if event.action in ("approved", "rejected") and completed:
            return [f"account_{event.to_state}"]
        return []
    names = []
    if event.action in ACTION_EVENTS:
        names.append(ACTION_EVENTS[event.action])
    if completed and event.action in COMPLETING_ACTIONS:
        names.append("case_completed")
    return names


_SIGN = "\n\n河南省充电基础设施服务门户"

DEFAULT_TEMPLATES = {
    "account_approved": (
        "您的账号已通过审核",
        "{{ applicant }}：您的企业账号注册申请（{{ reference }}）已通过审核，现在可以登录办理业务。"
        + _SIGN,
        "【充电设施门户】您的账号已通过审核，可登录办理业务。",
    ),
    "account_rejected": (
        "您的账号注册未通过审核",
        "{{ applicant }}：您的企业账号注册申请（{{ reference }}）未通过审核。"
        "{% if note %}\n审核意见：{{ note }}{% endif %}\n详情：{{ url }}" + _SIGN,
        "【充电设施门户】您的账号注册未通过审核，请登录查看审核意见。",
    ),
    "supplement_requested": (
        "申请 {{ reference }} 需要补正材料（一次性告知）",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）需要补正，{{ department }}"
        "一次性告知如下：\n{% for item in items %}{{ forloop.counter }}. "
        "{% if item.material %}{{ item.material }}：{% endif %}{{ item.problem }}\n{% endfor %}"
        "请登录补正后重新提交：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}需补正{{ items|length }}项，请登录查看一次性告知。",
    ),
    "department_approved": (
        "申请 {{ reference }}：{{ department }}审核通过",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）已由{{ department }}审核通过。"
        "{% if note %}\n审核意见：{{ note }}{% endif %}\n当前状态：{{ state }}。详情：{{ url }}"
        + _SIGN,
        "【充电设施门户】申请{{ reference }}已由{{ department }}审核通过。",
    ),
    "department_rejected": (
        "申请 {{ reference }}：{{ department }}审核不通过",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）{{ department }}审核不通过。\n"
        "审核意见：{{ note }}\n当前状态：{{ state }}。详情：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}{{ department }}审核不通过，请登录查看意见。",
    ),
    "case_completed": (
        "申请 {{ reference }} 已办结",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）已办结，结果：{{ state }}。\n"
        "欢迎对本次办理作出评价（好差评）：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}已办结（{{ state }}），欢迎评价。",
    ),
    "documents_ready": (
        "申请 {{ reference }} 的文书已出具",
        "{{ applicant }}：您的申请 {{ reference }} 的办理文书已出具。{% if note %}\n{{ note }}"
        "{% endif %}\n请登录查看或按您选择的送达方式领取：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}的文书已出具，请登录查看。",
    ),
    "account_lock_warning": (
        "您的账号将于 {{ lock_date }} 锁定",
        "{{ applicant }}：您的账号已近三个月未登录。按规定，账号将于 {{ lock_date }} 锁定；"
        "在此之前登录一次即可继续使用：{{ url }}" + _SIGN,
        "【充电设施门户】您的账号将于{{ lock_date }}因长期未登录锁定，请及时登录。",
    ),
    "review_digest": (
        "审核提醒：{{ due_soon|length }} 件明日到期，{{ overdue|length }} 件已超期",
        "您好：截至 {{ today }}，您所在部门的待办审核如下。\n"
        "{% if due_soon %}明日到期：\n{% for r in due_soon %}- {{ r.reference }} {{ r.department }}"
        " 期限 {{ r.due_date }}\n{% endfor %}{% endif %}"
        "{% if overdue %}已超期：\n{% for r in overdue %}- {{ r.reference }} {{ r.department }}"
        " 期限 {{ r.due_date }}\n{% endfor %}{% endif %}审核工作台：{{ url }}" + _SIGN,
        "【充电设施门户】{{ due_soon|length }}件审核明日到期，{{ overdue|length }}件已超期。",
    ),
    "rectification_opened": (
        "差评整改：申请 {{ reference }}（{{ level }}）",
        "申请 {{ reference }} 收到“{{ level }}”评价，已交办{{ department }}整改，"
        "请于 {{ due_date }} 前答复。{% if note %}\n评价意见：{{ note }}{% endif %}\n"
        "处理：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}差评已交办整改，请于{{ due_date }}前答复。",
    ),
    "rectification_replied": (
        "申请 {{ reference }} 的评价已获答复",
        "{{ applicant }}：{{ department }}已就您对申请 {{ reference }} 的评价作出答复：\n"
        "{{ reply }}\n您可以认可答复，或在页面上申诉一次：{{ url }}" + _SIGN,
        "【充电设施门户】{{ department }}已答复您对申请{{ reference }}的评价，请登录查看。",
    ),
    "window_accepted": (
        "申请 {{ reference }} 已由综合窗口受理",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）已由综合窗口受理，"
        "并已同时推送各部门并联审批。当前状态：{{ state }}。详情：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}已受理，各部门并联审批中。",
    ),
    "window_not_accepted": (
        "申请 {{ reference }} 不予受理",
        "{{ applicant }}：您的申请 {{ reference }}（{{ kind }}）经综合窗口预审，不予受理。\n"
        "理由：{{ note }}\n如有疑问请联系窗口，我们将协助您完成后续办理。详情：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}不予受理，请登录查看理由。",
    ),
    "survey_scheduled": (
        "申请 {{ reference }}：现场踏勘时间已确定",
        "{{ applicant }}：{{ department }}已确定您的申请 {{ reference }} 的{{ note }}。"
        "请届时在现场等候。详情：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}{{ note }}，请届时在场。",
    ),
    "plan_offered": (
        "申请 {{ reference }}：请签署供电方案（合同）",
        "{{ applicant }}：{{ department }}已出具申请 {{ reference }} 的供电方案（合同），"
        "请登录确认签署：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}的供电方案（合同）已出具，请登录签署。",
    ),
    "rectification_appealed": (
        "差评整改申诉：申请 {{ reference }}",
        "申请人对{{ department }}就申请 {{ reference }} 差评的整改答复提出申诉：\n{{ note }}\n"
        "请作出申诉答复：{{ url }}" + _SIGN,
        "【充电设施门户】申请{{ reference }}的整改答复被申诉，请登录答复。",
    ),
}
