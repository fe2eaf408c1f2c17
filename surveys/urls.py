"""URLs of the surveys, under /enkater/. Paths are Swedish because users see them."""
from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("ny/", views.survey_start, name="start"),
    path("avgang/ny/", views.exit_start, name="exit_start"),
    # The link's secret comes in the query string (?n=…), which the access log does not keep.
    path("svara/", views.answer, name="answer"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/paminn/", views.survey_remind, name="remind"),
    path("<int:pk>/stang/", views.survey_close, name="close"),
    path("<int:pk>/delad-lank/", views.shared_link, name="shared_link"),
    path("<int:pk>/bjud-in/", views.exit_invite, name="exit_invite"),
    path("<int:pk>/utskrift/", views.exit_print, name="exit_print"),
    path("<int:pk>/genomgang/", views.exit_review, name="exit_review"),
]
