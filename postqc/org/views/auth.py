from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from postqc.core.redirects import safe_next
from postqc.core.views import landing_url

from ..services import staff_change_own_password


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("工号"), max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    # A deactivated account gets the same answer as a wrong password: ModelBackend refuses it outright.
    error_messages = {**AuthenticationForm.error_messages,
                      "invalid_login": _("工号或密码不正确。连续输错多次后账号将被暂时锁定。")}


class LoginView(auth_views.LoginView):
    """Sign in by 工号 and password. django-axes counts failures and locks the account (429 page)."""

    form_class = LoginForm
    template_name = "org/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"))
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2:
            if p1 != p2:
                self.add_error("new_password2", _("两次输入的新密码不一致。"))
            elif p1 == data.get("old_password"):
                self.add_error("new_password1", _("新密码不能与当前密码相同。"))
            else:
                try:
                    validate_password(p1, self.user)
                except forms.ValidationError as e:
                    self.add_error("new_password1", e)
        return data


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the only page open to someone who must set a new one."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        staff_change_own_password(staff=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect(safe_next(request, request.GET.get("next"), landing_url(request.user)))
    return render(request, "org/password_change.html", {"form": form, "forced": request.user.must_change_password})
