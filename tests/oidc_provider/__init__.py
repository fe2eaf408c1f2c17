"""A real OpenID Connect provider for the sign-in tests: a small Django
project with django-oauth-toolkit's provider, run as its own process by
tests/signin/conftest.py. Its people and their claims come from a JSON
"directory" file the tests write (as an identity provider reads its
directory); the same file can tell it to misbehave (a wrong issuer,
audience, nonce, an expired token or a signature by another key)."""
