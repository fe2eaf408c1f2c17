"""Case pages, mounted under /arenden/."""
from django.urls import path

from casework import views

app_name = "casework"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/tilldela/", views.assign, name="assign"),
    path("<int:pk>/uppfoljning/<slug:code>/", views.checklist_item, name="checklist"),
    path("<int:pk>/atgarder/", views.add_action, name="add_action"),
    path("atgarder/<int:action_pk>/", views.action_status, name="action_status"),
    path("<int:pk>/meddelanden/", views.message_post, name="message_post"),
    path("<int:pk>/avsluta/", views.close, name="close"),
    path("<int:pk>/oppna/", views.reopen, name="reopen"),
]
