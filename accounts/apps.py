from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "申请人账号"

    def ready(self):
        from . import backends  # noqa: F401  (connects the login signal receivers)
