"""Bearer JWTs from an OpenID Connect provider, checked against its published keys (JWKS)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import structlog

from app.identity import Grant, Identity
from domain.envelope import AuthMethod, Provenance
from web.config import OidcConfig

# Signature algorithms an identity provider uses for its tokens; never "none", never HMAC (a
# public key must not double as a shared secret).
ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512",
              "EdDSA"]
LEEWAY_SECONDS = 30

_log = structlog.get_logger("baton.web")


class InvalidBearer(Exception):
    """The token is not one this provider issued for us, or says nothing we can act on."""


def _signing_key(keys: jwt.PyJWKClient, token: str) -> jwt.PyJWK:
    """The key named by the token's `kid`; a provider with a single key may leave it out."""
    kid = jwt.get_unverified_header(token).get("kid")
    if kid is not None:
        return keys.get_signing_key(kid)
    published = keys.get_signing_keys()
    if len(published) != 1:
        raise jwt.InvalidTokenError("the token names no key (kid) and the issuer has several")
    return published[0]


class OidcBearer:
    def __init__(self, config: OidcConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._jwks: jwt.PyJWKClient | None = None
        self._discovery_lock = asyncio.Lock()

    async def discovery(self) -> dict[str, Any]:
        url = self._config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        answer = await self._http.get(url)
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        return document

    async def _keys(self) -> jwt.PyJWKClient:
        async with self._discovery_lock:
            if self._jwks is None:
                document = await self.discovery()
                # PyJWKClient caches the key set and fetches it again for an unknown key id.
                self._jwks = jwt.PyJWKClient(document["jwks_uri"], cache_keys=True, timeout=10)
            return self._jwks

    async def identity(self, token: str, audience: str | None = None) -> Identity:
        """The identity a JWT of this issuer stands for; `audience` defaults to the API's
        (the sign-in flow checks ID tokens against the client id instead)."""
        return self.identity_from_claims(await self.verified_claims(token, audience))

    async def verified_claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """The claims of a JWT whose signature, issuer, audience and expiry all hold."""
        try:
            keys = await self._keys()
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise ConnectionError(f"the identity provider {self._config.issuer} did not "
                                  f"answer: {type(error).__name__}") from None
        try:
            # The key set is fetched over blocking urllib: off the event loop.
            key = await asyncio.to_thread(_signing_key, keys, token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=ALGORITHMS,
                audience=audience or self._config.expected_audience,
                issuer=self._config.issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.PyJWKClientConnectionError:
            raise ConnectionError(f"the identity provider {self._config.issuer} did not "
                                  "answer for its keys") from None
        except jwt.PyJWTError as error:
            raise InvalidBearer(f"bearer token refused: {error}") from None
        return claims

    async def still_vouches(self, access_token: str) -> bool | None:
        """Whether the provider still honours an access token it issued at sign-in (its
        userinfo endpoint answers for it); None when it cannot be asked now."""
        try:
            endpoint = (await self.discovery()).get("userinfo_endpoint")
            if not isinstance(endpoint, str):
                return None
            answer = await self._http.get(
                endpoint, headers={"Authorization": f"Bearer {access_token}"})
        except (httpx.HTTPError, ValueError):
            return None
        if answer.status_code in (400, 401, 403):
            return False
        return True if answer.is_success else None

    def identity_from_claims(self, claims: dict[str, Any]) -> Identity:
        """The person and grants that verified claims stand for (also for sign-in)."""
        person = claims.get(self._config.person_claim)
        if not isinstance(person, str) or not person.strip():
            raise self._refused(claims, f"the token has no {self._config.person_claim!r} "
                                        "claim naming the person")
        # An address the provider has not verified names whoever typed it, not its owner.
        if self._config.person_claim == "email" and claims.get("email_verified") is not True:
            raise self._refused(claims, "the token's email is not verified (email_verified)")
        groups = claims.get(self._config.groups_claim, [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise self._refused(claims, f"the token's {self._config.groups_claim!r} claim is "
                                        "not a list of group names")
        grants = set()
        if self._config.pmo_group and self._config.pmo_group in groups:
            grants.add(Grant.PMO)
        if self._config.auditor_group and self._config.auditor_group in groups:
            grants.add(Grant.AUDITOR)
        try:
            return Identity(person=person.strip(), grants=frozenset(grants),
                            provenance=Provenance(method=AuthMethod.OIDC,
                                                  issuer=str(claims["iss"]),
                                                  subject=str(claims["sub"])))
        except ValueError as error:
            raise self._refused(claims, f"the token's claims are not usable: {error}") from None

    def _refused(self, claims: dict[str, Any], reason: str) -> InvalidBearer:
        _log.warning("identity provider token refused", reason=reason,
                     subject=str(claims.get("sub")), issuer=self._config.issuer)
        return InvalidBearer(reason)
