"""/api/: the OpenAPI document, its docs page and the endpoints of version 1."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files. The page's script comes from the
    same address (?script), so the strict CSP holds: no inline script."""
    template_name = "api/docs.html"
    title = "Värn API"


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("v1/organisation/units/", views.UnitsView.as_view(), name="units"),
    path("v1/organisation/headcount/", views.HeadcountView.as_view(), name="headcount"),
    path("v1/incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("v1/incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident"),
    path("v1/incidents/<int:pk>/status/", views.StatusView.as_view(), name="status"),
    path("v1/incidents/<int:pk>/assignee/", views.AssigneeView.as_view(), name="assignee"),
    path("v1/incidents/<int:pk>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("v1/incidents/<int:pk>/checklist/<str:code>/", views.ChecklistItemView.as_view(), name="checklist_item"),
    path("v1/incidents/<int:pk>/actions/", views.ActionsView.as_view(), name="actions"),
    path("v1/incidents/<int:pk>/actions/<int:action_pk>/", views.ActionView.as_view(), name="action"),
    path("v1/situation/<int:pk>/", views.PictureView.as_view(), name="picture"),
    path("v1/situation/<int:pk>/police/", views.PoliceView.as_view(), name="police"),
    path("v1/situation/<int:pk>/police.xlsx", views.PoliceWorkbookView.as_view(), name="police_xlsx"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
