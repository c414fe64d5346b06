"""What each Event action is called in the history shown to applicants and staff.

The core actions are here; apps above `applications` (documents, window, connection)
add their own with `register_labels` in their AppConfig.ready(), so this app never
names their steps.
"""

ACTION_LABELS: dict[str, str] = {
    "created": "创建申请",
    "items_changed": "修改办理事项",
    "uploaded": "上传材料",
    "deferred_material_supplied": "补交容缺材料",
    "attachment_removed": "删除材料",
    "submitted": "提交申请",
    "resubmitted": "补正后重新提交",
    "withdrawn": "撤回申请",
    "review_started": "开始审核",
    "material_accepted": "材料审核合格",
    "material_rejected": "材料审核不合格",
    "supplement_requested": "一次性告知补正",
    "approved": "审核通过",
    "rejected": "审核不通过",
    "rated": "满意度评价",
    "downloaded": "下载材料",
    "previewed": "预览材料",
    "review_reopened": "重新审核",
    "viewed": "查看申请",
    "exported": "导出",
    "accepted": "窗口受理",
    "window_supplement_requested": "窗口一次性告知补正",
    "not_accepted": "不予受理",
    "connected": "装表接电完成",
}


def register_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)
