"""URL map. Paths are Swedish because users see them."""
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from varn import health, views

admin.site.site_header = _("Värn – administration")
admin.site.site_title = "Värn"
admin.site.index_title = _("Organisation, användare och taxonomier")

urlpatterns = [
    path("", views.home, name="home"),
    path("konto/logga-in/", views.login_view, name="login"),
    path("konto/logga-ut/", views.logout_view, name="logout"),
    path("konto/oidc/", include("signin.urls")),
    path("sprak/", set_language, name="set_language"),
    # Reporting at the root (/rapportera/, /mina-rapporter/, /uppfoljning/).
    path("", include("reporting.urls")),
    path("arenden/", include("casework.urls")),
    # The support track's steps beside the case page (/arenden/<pk>/stod/…).
    path("arenden/", include("support.urls")),
    # Protective measures for future visits: recorded beside the case page, listed per unit.
    path("arenden/", include("protection.case_urls")),
    path("skyddsatgarder/", include("protection.urls")),
    path("granskning/", include("audit.urls")),
    path("kunskap/", include("knowledge.urls")),
    path("lagesbild/", include("situation.urls")),
    path("arshjul/", include("cycle.urls")),
    path("polissamverkan/", include("police.urls")),
    path("handlingsplan/", include("governance.urls")),
    path("riskanalys/", include("governance.risk_urls")),
    path("tertialrapport/", include("governance.tertial_urls")),
    # The REST API for other systems (api/): token auth, problem documents.
    path("api/", include("api.urls")),
    path("gallring/", include("retention.urls")),
    path("enkater/", include("surveys.urls")),
    path("admin/login/", views.admin_login_redirect),
    path("admin/", admin.site.urls),
    # For the load balancer; answered by varn.health.HealthMiddleware first.
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
]

handler400 = "varn.views.bad_request"
handler403 = "varn.views.permission_denied"
handler404 = "varn.views.page_not_found"
# Also the 503 page; renders without the database, the session or the manifest.
handler500 = "varn.errorpages.server_error"
