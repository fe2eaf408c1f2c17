"""The support track's steps, mounted under /arenden/ beside the case page."""
from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("<int:pk>/stod/starta/", views.start, name="start"),
    path("<int:pk>/stod/steg/<slug:kind>/", views.step, name="step"),
    path("<int:pk>/stod/erbjudanden/", views.add_offer, name="add_offer"),
    path("<int:pk>/stod/erbjudanden/<int:offer_pk>/", views.offer_answer, name="offer_answer"),
    path("<int:pk>/stod/avsluta/", views.end, name="end"),
]
