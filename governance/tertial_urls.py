"""URLs of the tertial report, under /tertialrapport/. Paths are Swedish because users see them."""
from django.urls import path

from governance import tertial_views

app_name = "tertial"
urlpatterns = [
    path("", tertial_views.index, name="index"),
    path("ny/", tertial_views.create, name="create"),
    path("<int:pk>/", tertial_views.report_detail, name="report"),
    path("<int:pk>/godkann/", tertial_views.approve, name="approve"),
    path("<int:pk>/tertialrapport.pdf", tertial_views.report_pdf, name="pdf"),
]
