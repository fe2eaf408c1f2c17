"""URLs of the reporting flow and, under /arenden/, the case pages.

Reporting lives at the site root because employees type and share these
addresses (/rapportera/, /mina-rapporter/, /uppfoljning/). They share the
"incidents" namespace with the case pages of incidents/urls.py, which are
mounted here under "arenden/" (varn/urls.py includes this module at the
root), so that {% url 'incidents:report' %} and {% url 'incidents:detail' %}
both keep working and new case URLs are still added to incidents/urls.py.
"""
from django.urls import include, path

from incidents import report_views, urls as case_urls

app_name = "incidents"
urlpatterns = [
    path("rapportera/", report_views.report, name="report"),
    path("rapportera/anonymt/", report_views.report_anonymous, name="report_anonymous"),
    path("rapportera/utkast/", report_views.draft_save, name="draft_save"),
    path("rapportera/utkast/rensa/", report_views.draft_discard, name="draft_discard"),
    path("mina-rapporter/", report_views.mine, name="mine"),
    path("mina-rapporter/<int:pk>/", report_views.mine_detail, name="mine_detail"),
    path("mina-rapporter/<int:pk>/kvitto/", report_views.receipt, name="receipt"),
    path("uppfoljning/", report_views.followup, name="followup"),
    path("arenden/<int:pk>/meddelanden/", report_views.message_post, name="message_post"),
    path("arenden/<int:pk>/bilagor/<int:attachment_pk>/", report_views.attachment, name="attachment"),
    path("arenden/", include(case_urls.urlpatterns)),
]
