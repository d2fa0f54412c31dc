from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from postqc.api.services import token_issue, token_revoke

router = Router(tags=["auth"])


class TokenIn(Schema):
    employee_no: str
    password: str
    label: str = ""


class TokenOut(Schema):
    token: str
    expires_at: str
    must_change_password: bool


@router.post("/token", auth=None, response=TokenOut, summary="Exchange employee number + password for a token")
def create_token(request: HttpRequest, payload: TokenIn):
    """Repeated failures lock the account out exactly as the login page does."""
    user = authenticate(request, username=payload.employee_no, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "Too many failed attempts: this account is locked for a while. Try again later.")
    if user is None:
        raise HttpError(401, "Wrong employee number or password.")
    key, token = token_issue(staff=user, label=payload.label)
    return {"token": key, "expires_at": token.expires_at.isoformat(), "must_change_password": user.must_change_password}


@router.delete("/token", response={204: None}, summary="Revoke the token used for this request")
def delete_token(request: HttpRequest):
    token_revoke(key=request.headers.get("Authorization", "").removeprefix("Bearer ").strip())
    return 204, None
