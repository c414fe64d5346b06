"""API routes: the catalogue of items and materials, and the applicant's stations."""

from ninja import Query

from interconnect import health as interconnect_health

from .. import workflow
from .app import api, responses
from .inputs import API_KINDS, parse_kind, request_applicant
from .schemas import (
    ServiceItemOut,
    StationOut,
)
from .serializers import material_out, station_out

# --- Catalogue --------------------------------------------------------------------


@api.get(
    "/catalogue/items",
    response=responses({200: list[ServiceItemOut]}, 422),
    summary="可办理的事项及材料清单",
    description="本账号可以申请的事项，及每项所需材料（编码、格式、份数、是否提交时必交）。",
    tags=["事项目录"],
)
def catalogue_items(
    request,
    kind: str = Query("", description="只列出此申请类型的事项，如 joint_installation。"),
):
    applicant = request_applicant(request)
    kinds = [parse_kind(kind)] if kind else API_KINDS
    result = []
    for each in kinds:
        for item in workflow.eligible_items(applicant, each):
            result.append(
                {
                    "code": item.code,
                    "name": item.name,
                    "kind": item.kind,
                    "kind_label": item.get_kind_display(),
                    "department": item.department.code,
                    "department_name": item.department.name,
                    "time_limit_label": item.time_limit_label,
                    "joint_group": item.joint_group,
                    "materials": [material_out(m) for m in item.materials.all()],
                }
            )
    return result


@api.get(
    "/stations",
    response=responses({200: list[StationOut]}),
    summary="我的充电站",
    description="运营平台通过互联互通推送的站点。建站资料按名称完全一致绑定站点，"
    "建设补贴申请的 station 字段填写这里的站点编号。",
    tags=["事项目录"],
)
def stations(request):
    rows = interconnect_health.station_rows(request_applicant(request))
    return [station_out(row) for row in rows]
