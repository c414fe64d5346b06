from django.apps import AppConfig

CONNECTION_LABELS = {
    "survey_proposed": "预约现场踏勘时间",
    "survey_confirmed": "确认现场踏勘",
    "survey_moved": "改约现场踏勘",
    "property_confirmed": "住建确认场地信息",
    "surveyed": "完成现场踏勘",
    "plan_offered": "出具供电方案（合同）",
    "plan_signed": "签署供电方案（合同）",
    "construction_started": "开始施工",
}


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "装表接电"

    def ready(self):
        from applications import hooks
        from applications.api import attach_router
        from applications.history import register_labels

        from .api import router
        from .steps import needs_connection, portal_links, progress_steps

        hooks.register(hooks.COMPLETION_STEPS, needs_connection)
        hooks.register(hooks.STEP_PROVIDERS, progress_steps)
        hooks.register(hooks.PORTAL_LINKS, portal_links)
        attach_router(router)
        register_labels(CONNECTION_LABELS)
