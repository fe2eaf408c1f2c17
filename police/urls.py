"""URLs of police cooperation, under /polissamverkan/. Paths are Swedish because users see them."""
from django.urls import path

from police import views

app_name = "police"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("omrade/<int:pk>/", views.area_picture, name="area"),
    path("omraden/importera/", views.import_mapping, name="import"),
    path("utfall/", views.outcome_figures, name="outcomes"),
    path("arende/<int:pk>/", views.case, name="case"),
    path("arende/<int:pk>/steg/", views.case_outcome, name="case_outcome"),
    path("arende/<int:pk>/steg/<int:outcome_pk>/ta-bort/", views.case_outcome_remove, name="case_outcome_remove"),
    path("arende/<int:pk>/roll/", views.case_followup, name="case_followup"),
]
