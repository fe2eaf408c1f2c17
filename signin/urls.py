"""/konto/oidc/…: the names are mozilla-django-oidc's, which its middleware reverses."""
from django.urls import path

from signin import views

urlpatterns = [
    path("start/", views.StartView.as_view(), name="oidc_authentication_init"),
    path("tillbaka/", views.CallbackView.as_view(), name="oidc_authentication_callback"),
]
