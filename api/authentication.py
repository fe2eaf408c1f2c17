"""Who calls: an integration account, by its token (Authorization: Bearer).

The token is looked up by its SHA-256 digest. It is refused when it is
unknown, revoked or expired, or when its account is deactivated or is not an
integration account; the answer is the same 401 for each, so a caller learns
nothing about which. A token's last use is written at most once a minute.
Every request counts towards the token's rate limit (VARN_API_TOKEN_RATE)."""
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api.models import ApiToken, digest
from varn.ratelimits import Limit

LAST_USED_EVERY = timedelta(minutes=1)


def token_key(group, request) -> str:
    return f"token-{request.auth.pk}"


# Per token, in the shared cache like the other limits (varn/ratelimits.py).
API_REQUESTS = Limit("api-token", "API_TOKEN_RATE", token_key)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode() or len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Skicka token som ”Authorization: Bearer <token>”."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Token är ogiltig, har gått ut eller har återkallats.")) from None
        now = timezone.now()
        row = (ApiToken.objects.select_related("account")
               .filter(digest=digest(token), revoked_at__isnull=True, expires_at__gt=now,
                       account__is_active=True, account__integration__isnull=False)
               .first())
        if row is None:
            raise exceptions.AuthenticationFailed(_("Token är ogiltig, har gått ut eller har återkallats."))
        if row.last_used_at is None or row.last_used_at < now - LAST_USED_EVERY:
            ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY),
                                    pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        return row.account, row

    def authenticate_header(self, request):
        return 'Bearer realm="varn"'
