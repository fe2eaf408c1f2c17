"""URLs of the situation picture. Paths are Swedish because users see them."""
from django.urls import path, register_converter

from situation import views


class TableFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TableFormat, "fmt")

app_name = "situation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("om-siffrorna/", views.about_figures, name="about_figures"),
    path("<int:pk>/", views.picture, name="picture"),
    path("<int:pk>/arenden/", views.drill, name="drill"),
    path("<int:pk>/rapport/", views.report, name="report"),
    path("<int:pk>/export/tabeller.<fmt:fmt>", views.export_tables, name="export_tables"),
    path("<int:pk>/export/arenden.<fmt:fmt>", views.export_cases, name="export_cases"),
    path("<int:pk>/export/polisen.xlsx", views.export_police, name="export_police"),
    path("arende/<int:pk>/aktor/", views.actor, name="actor"),
]
