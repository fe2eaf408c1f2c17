"""Project-wide response rules."""
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Nothing Värn renders is kept by a browser or a proxy: on a shared
    office computer, the back button after logging out must show nothing.
    Static files are served before this runs (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
