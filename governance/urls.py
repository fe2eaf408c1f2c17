"""URLs of the action plan, under /handlingsplan/. Paths are Swedish because users see them."""
from django.urls import path

from governance import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/<int:pk>/", views.plan_detail, name="plan"),
    path("plan/<int:pk>/nytt-utkast/", views.start_draft, name="start_draft"),
    path("version/<int:pk>/", views.version_detail, name="version"),
    path("version/<int:pk>/jamfor/", views.version_compare, name="compare"),
    path("utkast/<int:pk>/", views.draft, name="draft"),
    path("utkast/<int:pk>/godkann/", views.approve, name="approve"),
    path("utkast/<int:pk>/ta-bort/", views.discard, name="discard"),
    path("utkast/<int:pk>/ny-atgard/", views.measure_create, name="measure_create"),
    path("atgard/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("atgard/<int:pk>/ta-bort/", views.measure_delete, name="measure_delete"),
    path("oversyn/<int:pk>/", views.review, name="review"),
]
