from django.apps import AppConfig


class InterconnectConfig(AppConfig):
    name = "interconnect"
    verbose_name = "互联互通"
