"""URLs of police cooperation, under /polissamverkan/. Paths are Swedish because users see them."""
from django.urls import path

from police import views

app_name = "police"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("omrade/<int:pk>/", views.area_picture, name="area"),
    path("omraden/importera/", views.import_mapping, name="import"),
    path("utfall/", views.outcome_figures, name="outcomes"),
    path("overenskommelser/", views.agreements, name="agreements"),
    path("overenskommelser/ny/", views.agreement_edit, name="agreement_create"),
    path("overenskommelser/<int:pk>/", views.agreement, name="agreement"),
    path("overenskommelser/<int:pk>/andra/", views.agreement_edit, name="agreement_edit"),
    path("overenskommelser/<int:pk>/dokument/", views.agreement_document, name="agreement_document"),
    path("overenskommelser/<int:pk>/nytt-mote/", views.meeting_create, name="meeting_create"),
    path("moten/<int:pk>/", views.meeting, name="meeting"),
    path("moten/<int:pk>/underlag.pdf", views.meeting_pack, name="meeting_pack"),
    path("moten/<int:pk>/anteckningar/", views.meeting_notes, name="meeting_notes"),
    path("moten/<int:pk>/atgard/", views.measure_create, name="measure_create"),
    path("atgard/<int:pk>/status/", views.measure_status, name="measure_status"),
    path("arende/<int:pk>/", views.case, name="case"),
    path("arende/<int:pk>/steg/", views.case_outcome, name="case_outcome"),
    path("arende/<int:pk>/steg/<int:outcome_pk>/ta-bort/", views.case_outcome_remove, name="case_outcome_remove"),
    path("arende/<int:pk>/roll/", views.case_followup, name="case_followup"),
]
