"""What the web door needs to know that is not a use case: how people are authenticated."""

from __future__ import annotations

from dataclasses import dataclass

from web.throttle import FAILURES_ALLOWED


@dataclass(frozen=True)
class OidcConfig:
    """An OpenID Connect provider: bearer JWTs for the API, sign-in by code + PKCE for pages."""

    issuer: str  # compared exactly with the tokens' `iss`, as configured
    client_id: str
    client_secret: str | None = None
    audience: str | None = None  # the API tokens' `aud`; unset: the client id
    person_claim: str = "email"
    groups_claim: str = "groups"
    pmo_group: str | None = None
    auditor_group: str | None = None

    @property
    def expected_audience(self) -> str:
        return self.audience or self.client_id


@dataclass(frozen=True)
class WebConfig:
    oidc: OidcConfig | None = None
    # Where the API is reached from outside, for links (`url` in my work); unset: as requested.
    public_url: str | None = None
    # Signs the session cookie, which carries the session's id; unset: a random key per process
    # (sign-ins then do not survive a restart nor cross replicas).
    session_secret: str | None = None
    # Failed authentications from one address (or with one token prefix) a minute before each
    # further try is held back (`web.throttle`).
    auth_failures_allowed: int = FAILURES_ALLOWED
