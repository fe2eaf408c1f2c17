"""Cross-cutting pages: the role-based start page, login/logout and error pages."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import inbox
from cycle.services import duties_for
from incidents import access
from organisation.models import Role
from signin import config as signin_config
from signin.views import provider_logout_url
from situation.stats import form_summary
from varn import ratelimits

WAITING_SHOWN = 10


@login_required
def home(request):
    user = request.user
    roles = user.roles()
    ctx = {"roles": roles, "sections": []}
    # Order of sections follows the user's most pressing job.
    if not roles or Role.EMPLOYEE in roles:
        ctx["sections"].append("report")
    if roles & set(access.HANDLER_ROLES):
        # The list is the inbox's "Väntar på mig", cut at WAITING_SHOWN: the
        # page says how many of how many it shows.
        ctx["counts"] = inbox.counts(user)
        ctx["waiting"] = list(inbox.base_queryset(user).filter(inbox.tab_filter("mina", user))
                              .select_related("unit").prefetch_related("forms")
                              .order_by("reported_at")[:WAITING_SHOWN])
        ctx["sections"].append("handler")
    if Role.SAFETY_REP in roles:
        informed = access.visible_incidents(user).exclude(reporter=user)
        ctx["informed"] = informed.select_related("unit").prefetch_related("forms")[:10]
        ctx["sections"].append("safety")
    if roles & set(access.AGGREGATE_ROLES):
        ctx["summary"] = form_summary(user)
        ctx["sections"].append("statistics")
    # The annual cycle: the user's own duties that are due, and overdue ones
    # in the nodes they manage.
    ctx["cycle_duties"] = duties_for(user)
    if ctx["cycle_duties"].any:
        ctx["sections"].append("cycle")
    if Role.AUDITOR in roles:
        ctx["sections"].append("auditor")
    if Role.ADMIN in roles:
        ctx["sections"].append("admin")
    # Managers, coordinators and the others are exposed too: everyone can
    # report, after the work that their role brings first.
    if "report" not in ctx["sections"]:
        ctx["sections"].append("report")
    ctx["own_reports"] = access.visible_incidents(user).filter(reporter=user).order_by("-reported_at")[:5]
    ctx["may_report_for"] = access.may_register_on_behalf(user)
    return render(request, "home.html", ctx)


# Failed logins are counted per typed user name and per address; successes
# never count. Reaching either limit shows the 429 page with the wait.
LOGIN_LIMITS = (ratelimits.LOGIN_FAILURES_PER_ACCOUNT, ratelimits.LOGIN_FAILURES_PER_ADDRESS)


def _login_limits(request):
    # A form without a user name cannot lock anyone's account.
    if ratelimits.typed_username(request):
        return LOGIN_LIMITS
    return (ratelimits.LOGIN_FAILURES_PER_ADDRESS,)


def password_login_allowed() -> bool:
    """Without an identity provider everyone logs in with a password; with
    one, only administrators do, and only when the break-glass login is on."""
    return not signin_config.enabled() or settings.BREAK_GLASS_LOGIN


class PasswordLoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if signin_config.enabled() and not user.has_role(Role.ADMIN):
            raise ValidationError(_("Bara administratörer loggar in med lösenord."), code="break_glass")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = PasswordLoginForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["oidc"] = signin_config.enabled()
        ctx["password_login"] = password_login_allowed()
        ctx["provider_name"] = signin_config.provider_name() if ctx["oidc"] else ""
        return ctx

    def post(self, request, *args, **kwargs):
        if not password_login_allowed():
            return self.get(request, *args, **kwargs)
        blocked, wait = ratelimits.wait_for(request, *_login_limits(request))
        if blocked:
            return self._locked(wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        limits = _login_limits(self.request)
        for limit in limits:
            limit.count(self.request)
        # The failure that uses up a limit already says so, rather than
        # letting the next, perhaps correct, attempt be refused unexplained.
        blocked, wait = ratelimits.wait_for(self.request, *limits)
        if blocked:
            return self._locked(wait)
        return super().form_invalid(form)

    def _locked(self, wait):
        return ratelimits.rate_limited(
            self.request, wait_seconds=wait,
            message=_("Inloggningen är tillfälligt spärrad efter för många misslyckade försök."),
            back_url=self.request.get_full_path(), back_label=_("Tillbaka till inloggningen"))


login_view = LoginView.as_view()


@require_POST
def logout_view(request):
    """Log out of Värn; after a sign-in with the identity provider the browser
    goes on to its logout (RP-initiated logout), which returns to the login page."""
    provider_logout = provider_logout_url(request)
    response = auth_views.LogoutView.as_view()(request)
    if provider_logout and not request.user.is_authenticated:
        return HttpResponseRedirect(provider_logout)
    return response


def admin_login_redirect(request):
    """The admin signs in through Värn's own login. A signed-in user without
    the administrator role gets 404 rather than a redirect loop."""
    if request.user.is_authenticated:
        raise Http404
    return HttpResponseRedirect(f"{reverse('login')}?next={request.GET.get('next', '/admin/')}")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)
