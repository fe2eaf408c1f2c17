"""Recording a protective measure from the case page, mounted under /arenden/."""
from django.urls import path

from protection import views

app_name = "protection_case"
urlpatterns = [
    path("<int:pk>/skydd/", views.add, name="add"),
]
