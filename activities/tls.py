"""One TLS context per process for the worker's outgoing HTTP.

Building a context loads the whole CA bundle, tens of milliseconds of CPU: per metric read or
webhook call, that was most of what the worker spent under load. A context is safe to share
between connections and threads, and the CA bundle does not change while the worker runs.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context(*, trust_env: bool) -> ssl.SSLContext:
    """`trust_env` honours SSL_CERT_FILE and SSL_CERT_DIR, as httpx does by default."""
    return httpx.create_ssl_context(trust_env=trust_env)
