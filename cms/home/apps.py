from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "cms.home"
    label = "home"
    verbose_name = "首页与站点设置"

    def ready(self):
        from cms import invalidation

        invalidation.connect()
