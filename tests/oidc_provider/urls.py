from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import TokenView

from tests.oidc_provider import directory


@csrf_exempt
def token(request):
    """The token endpoint, unless the directory says it is down or refuses."""
    fault = directory.read().get("misbehave", "")
    if fault == "token_down":
        return JsonResponse({"error": "temporarily_unavailable"}, status=503)
    if fault == "token_refused":
        return JsonResponse({"error": "invalid_grant"}, status=400)
    return TokenView.as_view()(request)


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("o/token/", token),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
