"""URLs of police cooperation, under /polissamverkan/. Paths are Swedish because users see them."""
from django.urls import path

from police import views

app_name = "police"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("omrade/<int:pk>/", views.area_picture, name="area"),
    path("omraden/importera/", views.import_mapping, name="import"),
]
