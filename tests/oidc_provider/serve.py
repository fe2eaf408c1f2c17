"""`python -m tests.oidc_provider.serve PORT`: migrate the provider's own
database, register Värn as its client (from IDP_CLIENT_* variables) and
serve HTTP on 127.0.0.1:PORT until terminated."""
import os
import sys


def main():
    port = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.update_or_create(
        client_id=os.environ["IDP_CLIENT_ID"],
        defaults={
            "name": "Värn",
            "client_secret": os.environ["IDP_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ["IDP_REDIRECT_URIS"],
            "post_logout_redirect_uris": os.environ.get("IDP_LOGOUT_URIS", ""),
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main()
