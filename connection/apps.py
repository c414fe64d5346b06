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
        from applications.history import register_labels

        from .steps import needs_connection, portal_links, progress_steps

        hooks.register(hooks.COMPLETION_STEPS, needs_connection)
        hooks.register(hooks.STEP_PROVIDERS, progress_steps)
        hooks.register(hooks.PORTAL_LINKS, portal_links)
        self._add_api_routes()
        register_labels(CONNECTION_LABELS)

    @staticmethod
    def _add_api_routes():
        """Our router on the portal API (/api/v1/), added once, before its URLs are built."""
        from applications.api import api

        from .api import router

        if all(attached is not router for _, attached in api._routers):
            api.add_router("", router)
