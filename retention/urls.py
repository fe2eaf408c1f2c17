from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regler/<str:kind>/", views.rule, name="rule"),
    path("bevarande/", views.holds, name="holds"),
    path("bevarande/<int:pk>/hav/", views.lift, name="lift"),
    path("korningar/", views.runs, name="runs"),
    path("registerutdrag/", views.hr_extract, name="hr_extract"),
]
urlpatterns += [path("mitt-registerutdrag/", views.my_extract, name="my_extract")]
