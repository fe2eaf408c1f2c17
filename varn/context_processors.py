"""Navigation that fits the user's roles, available to every template."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cycle.permissions import VIEW_ROLES as CYCLE_VIEW_ROLES
from governance.risks import READ_ROLES as RISK_ROLES
from incidents import access
from organisation.models import Role
from surveys.services import VIEW_ROLES as SURVEY_VIEW_ROLES


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav_items": []}
    roles = user.roles()
    items = [(reverse("home"), _("Start"))]
    if roles & set(access.CASE_ROLES):
        items.append((reverse("casework:list"), _("Ärenden")))
    if roles & set(access.MEASURE_ROLES):
        items.append((reverse("protection:list"), _("Skyddsåtgärder")))
    if roles & set(access.CASE_ROLES + access.AGGREGATE_ROLES):
        items.append((reverse("situation:overview"), _("Lägesbild")))
    if roles & set(access.CASE_ROLES + access.AGGREGATE_ROLES + (Role.ADMIN,)):
        items.append((reverse("police:overview"), _("Polissamverkan")))
    items.append((reverse("knowledge:index"), _("Kunskapsbank")))
    if roles:
        items.append((reverse("governance:index"), _("Handlingsplan")))
    if roles & set(RISK_ROLES):
        items.append((reverse("risks:index"), _("Riskanalys")))
        items.append((reverse("tertial:index"), _("Tertialrapport")))
    if roles & set(CYCLE_VIEW_ROLES):
        items.append((reverse("cycle:year"), _("Årshjul")))
    if roles & set(SURVEY_VIEW_ROLES):
        items.append((reverse("surveys:list"), _("Enkäter")))
    if Role.AUDITOR in roles:
        items.append((reverse("audit:list"), _("Granskningslogg")))
    if roles & {Role.ADMIN, Role.ARCHIVIST}:
        items.append((reverse("retention:overview"), _("Gallring")))
    elif roles & {Role.SECURITY_COORDINATOR, Role.HR}:
        items.append((reverse("retention:holds"), _("Bevarande")))
    if Role.ADMIN in roles:
        items.append((reverse("admin:index"), _("Administration")))
    path = request.path
    return {"nav_items": [
        {"url": url, "label": label, "current": url == path or (url != "/" and path.startswith(url))}
        for url, label in items
    ]}
