"""The provider's claims and its deliberate faults."""
import json
import time

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider import directory

# A key the provider does not publish: a token signed with it has a valid
# form and the published key's id, but a signature that does not verify.
OTHER_KEY = jwk.JWK.generate(kty="RSA", size=2048)


class Validator(OAuth2Validator):
    # Every claim of the directory entry, whatever the scope (a test provider).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict(directory.person(request.user.username).get("claims", {}))

    def finalize_id_token(self, id_token, token, token_handler, request):
        fault = directory.read().get("misbehave", "")
        if not fault:
            return super().finalize_id_token(id_token, token, token_handler, request)
        claims, _expiration = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        if fault == "issuer":
            id_token["iss"] = "http://127.0.0.1:9/someone-else"
        elif fault == "audience":
            id_token["aud"] = "another-client"
        elif fault == "nonce":
            id_token["nonce"] = "not-the-nonce-that-was-sent"
        elif fault == "expired":
            id_token["iat"] = int(time.time()) - 7200
            id_token["exp"] = int(time.time()) - 3600
        header = {"typ": "JWT", "alg": "RS256", "kid": request.client.jwk_key.thumbprint()}
        token_ = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        token_.make_signed_token(OTHER_KEY if fault == "signature" else request.client.jwk_key)
        return token_.serialize()

    # A silent re-check (prompt=none) reaches these only while the person is
    # signed in here: without a session the view answers login_required.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True
