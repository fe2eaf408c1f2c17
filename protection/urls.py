"""Protective measures: the unit's list and one measure (/skyddsatgarder/)."""
from django.urls import path

from protection import views

app_name = "protection"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
]
