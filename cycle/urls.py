"""URLs of the annual cycle, under /arshjul/. Paths are Swedish because users see them."""
from django.urls import path

from cycle import views

app_name = "cycle"
urlpatterns = [
    path("", views.year_view, name="year"),
    path("tillfalle/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path("tillfalle/<int:pk>/oppna-igen/", views.occurrence_reopen, name="reopen"),
    path("uppgift/ny/", views.duty_create, name="duty_create"),
    path("standarduppgifter/", views.seed_standard, name="seed_standard"),
    path("uppgift/<int:pk>/", views.duty_edit, name="duty_edit"),
    path("utbildning/", views.training_list, name="training"),
    path("utbildning/ny/", views.training_create, name="training_create"),
    path("utbildning/<int:pk>/", views.training_edit, name="training_edit"),
]
