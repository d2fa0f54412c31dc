from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from ninja import Router, Schema, Status
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
    """Failures count towards the same lockout as the login page (django-axes): after
    LOGIN_FAILURE_LIMIT of them the answer is 429 for the cool-off time, whatever the password.
    A deactivated person gets 401 like a wrong password. Success counts as signing in:
    the failures are forgotten and last_login is set.
    """
    user = authenticate(request, username=payload.employee_no, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, "Too many failed attempts: this account is locked for a while. Try again later.")
    if user is None:
        raise HttpError(401, "Wrong employee number or password (or the account is deactivated).")
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    key, token = token_issue(staff=user, label=payload.label)
    return {"token": key, "expires_at": token.expires_at.isoformat(), "must_change_password": user.must_change_password}


@router.delete("/token", response={204: None}, summary="Revoke the token used for this request")
def delete_token(request: HttpRequest):
    token_revoke(token=request.auth)
    return Status(204, None)
