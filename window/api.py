"""API route of the online claim (a router added to the portal API by this app's
`ready`): the token's applicant takes over the application the 综合窗口 filed for them,
with the 认领码 printed on the 受理回执. Same rules as the web form (window.claim): the
account's mobile and ID number / credit code must be those the window recorded, every
failure gives the same neutral message and counts, and after five the code is blocked.
The window's own steps (受理、补正、不予受理) have no API: its tokens belong to applicants."""

from ninja import Field, Router, Schema

from applications.api.app import responses
from applications.api.schemas import ApplicationSummaryOut
from applications.api.serializers import summary_out

from . import claim

router = Router(tags=["综合窗口"])


class ClaimIn(Schema):
    reference: str = Field(..., max_length=40, description="受理回执上的申请编号")
    code: str = Field(..., max_length=20, description="受理回执上的 8 位认领码")


@router.post(
    "/claims",
    response=responses({200: ApplicationSummaryOut}, 422),
    summary="认领窗口代办的申请",
    description="用受理回执上的申请编号和认领码，把综合窗口代为办理的申请认领到本账号。"
    "本账号的手机号码、身份证号（个人）或统一社会信用代码（企业）须与窗口登记的一致。"
    "不匹配时一律返回 422 及同一提示并计入失败次数；失败 5 次后认领码作废，"
    "须到窗口重新获取。",
)
def claim_application(request, payload: ClaimIn):
    application = claim.claim(request.user, payload.reference, payload.code)
    return summary_out(application)
