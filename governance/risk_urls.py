"""URLs of the risk and materiality analysis, under /riskanalys/. Paths are Swedish because users see them."""
from django.urls import path

from governance import risk_views

app_name = "risks"
urlpatterns = [
    path("", risk_views.register_index, name="index"),
    path("nytt/", risk_views.register_create, name="register_create"),
    path("register/<int:pk>/", risk_views.register_detail, name="register"),
    path("register/<int:pk>/riskregister.pdf", risk_views.register_pdf, name="register_pdf"),
    path("register/<int:pk>/riskregister.xlsx", risk_views.register_xlsx, name="register_xlsx"),
    path("risk/<int:pk>/", risk_views.risk_detail, name="risk"),
    path("risk/<int:pk>/underlag/", risk_views.risk_evidence, name="evidence"),
    path("risk/<int:pk>/ny-atgard/", risk_views.action_add, name="action_add"),
    path("atgard/<int:pk>/", risk_views.action_status, name="action_status"),
]
