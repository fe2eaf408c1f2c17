"""URLs of the reporting flow, at the site root because employees type and
share these addresses (/rapportera/, /mina-rapporter/, /uppfoljning/).
Attachments are downloaded under the case's address by reporter and
handler alike; the view checks access either way."""
from django.urls import path

from reporting import onbehalf, views

app_name = "reporting"
urlpatterns = [
    path("rapportera/", views.report, name="report"),
    path("rapportera/anonymt/", views.report_anonymous, name="report_anonymous"),
    path("rapportera/at-medarbetare/", onbehalf.report_for, name="report_for"),
    path("rapportera/mottagare/", views.recipients, name="recipients"),
    path("rapportera/utkast/", views.draft_save, name="draft_save"),
    path("rapportera/utkast/rensa/", views.draft_discard, name="draft_discard"),
    path("mina-rapporter/", views.mine, name="mine"),
    path("mina-rapporter/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("mina-rapporter/<int:pk>/kvitto/", views.receipt, name="receipt"),
    path("mina-rapporter/<int:pk>/stod/", views.support_answer, name="support_answer"),
    path("uppfoljning/", views.followup, name="followup"),
    path("arenden/<int:pk>/bilagor/<int:attachment_pk>/", views.attachment, name="attachment"),
]
