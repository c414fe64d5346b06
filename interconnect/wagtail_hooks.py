"""Read-only admin views for reviewers: stations, equipment, orders and the per-operator
message log, with filters by city, type and operator. Nothing is added or edited here:
the data comes only through the interface."""

import django_filters
from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.models import Applicant
from catalogue.reviewers import ReviewerViewOnlyPolicy
from regions.models import Region

from .models import (
    ChargeOrder,
    Construction,
    Equipment,
    EquipmentType,
    Message,
    Station,
    StationType,
)


class ReviewerReadOnly(ReviewerViewOnlyPolicy):
    """Department members and superusers may look; nobody may change pushed data."""


for _model in (Station, Equipment, ChargeOrder, Message):
    register_permission_policy(_model, ReviewerReadOnly(_model), exact_class=True)


def _cities(request=None):
    return Region.objects.filter(level=Region.Level.CITY).order_by("code")


def _operators(request=None):
    return Applicant.objects.filter(platform__isnull=False).order_by("name")


def _in_city(prefix):
    def method(queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(**{f"{prefix}region": value}) | Q(**{f"{prefix}region__parent": value})
        )

    return method


class StationFilter(WagtailFilterSet):
    city = django_filters.ModelChoiceFilter(label="城市", queryset=_cities, method=_in_city(""))
    station_type = django_filters.ChoiceFilter(label="站点类型", choices=StationType.choices)
    construction = django_filters.ChoiceFilter(label="建设场所", choices=Construction.choices)
    owner = django_filters.ModelChoiceFilter(label="运营商", queryset=_operators)

    class Meta:
        model = Station
        fields = []


class EquipmentFilter(WagtailFilterSet):
    city = django_filters.ModelChoiceFilter(
        label="城市", queryset=_cities, method=_in_city("station__")
    )
    equipment_type = django_filters.ChoiceFilter(label="设备类型", choices=EquipmentType.choices)
    station__owner = django_filters.ModelChoiceFilter(label="运营商", queryset=_operators)

    class Meta:
        model = Equipment
        fields = []


class OrderFilter(WagtailFilterSet):
    city = django_filters.ModelChoiceFilter(
        label="城市", queryset=_cities, method=_in_city("station__")
    )
    station__station_type = django_filters.ChoiceFilter(
        label="站点类型", choices=StationType.choices
    )
    station__owner = django_filters.ModelChoiceFilter(label="运营商", queryset=_operators)

    class Meta:
        model = ChargeOrder
        fields = []


class MessageFilter(WagtailFilterSet):
    platform__applicant = django_filters.ModelChoiceFilter(label="运营商", queryset=_operators)
    interface = django_filters.CharFilter(label="接口")
    ret = django_filters.NumberFilter(label="Ret")

    class Meta:
        model = Message
        fields = []


class ReadOnlyViewSet(ModelViewSet):
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    exclude_form_fields = []  # forms exist only because Wagtail builds them; policy denies edits

    def get_permissions_to_register(self):
        return Permission.objects.none()


class StationViewSet(ReadOnlyViewSet):
    model = Station
    icon = "site"
    menu_label = "充电站"
    name = "interconnect_stations"
    list_display = [
        "name",
        "station_id",
        "owner",
        "region",
        "station_type",
        "construction",
        "pile_count",
        "status_pushed_at",
    ]
    filterset_class = StationFilter
    search_fields = ["name", "station_id", "address"]
    search_backend_name = None


class EquipmentViewSet(ReadOnlyViewSet):
    model = Equipment
    icon = "cogs"
    menu_label = "充电设备"
    name = "interconnect_equipment"
    list_display = ["equipment_id", "station", "equipment_type", "power_kw", "manufacturer_name"]
    filterset_class = EquipmentFilter
    search_fields = ["equipment_id", "station__name"]
    search_backend_name = None


class OrderViewSet(ReadOnlyViewSet):
    model = ChargeOrder
    icon = "list-ul"
    menu_label = "充电订单"
    name = "interconnect_orders"
    list_display = ["start_charge_seq", "station", "started_at", "energy_kwh", "amount"]
    filterset_class = OrderFilter
    search_fields = ["start_charge_seq", "station__name"]
    search_backend_name = None


class MessageViewSet(ReadOnlyViewSet):
    model = Message
    icon = "mail"
    menu_label = "报文日志"
    name = "interconnect_messages"
    list_display = ["received_at", "operator_id", "interface", "ret", "msg"]
    filterset_class = MessageFilter
    search_fields = ["operator_id", "msg"]
    search_backend_name = None


class InterconnectGroup(ViewSetGroup):
    menu_label = "互联互通"
    menu_icon = "site"
    menu_order = 60
    items = (StationViewSet, EquipmentViewSet, OrderViewSet, MessageViewSet)


@hooks.register("register_admin_viewset")
def register_interconnect_viewsets():
    return InterconnectGroup()
