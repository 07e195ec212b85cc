"""Every environment variable Baton reads: its name, default and meaning.

`ENVIRONMENT_VARIABLES` is the single source: each field of `Settings` takes its variable,
default and description from it, and the README and tests check their lists against it, so a new
variable cannot go undocumented.
"""

from __future__ import annotations

from typing import NamedTuple


class EnvironmentVariable(NamedTuple):
    name: str
    default: str | None  # None: unset unless the operator sets it
    meaning: str


ENVIRONMENT_VARIABLES: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "BATON_HOME",
        ".baton",
        "Directory for local state: the embedded PostgreSQL and Temporal data and logs; created "
        "private to its user (directories 0700, files 0600; run as root, 0711 so the embedded "
        "PostgreSQL's own user can pass).",
    ),
    EnvironmentVariable(
        "TEMPORAL_ADDRESS",
        None,
        "host:port of an existing Temporal frontend; unset runs the embedded dev server.",
    ),
    EnvironmentVariable("TEMPORAL_NAMESPACE", "default", "Temporal namespace for all workflows."),
    EnvironmentVariable("BATON_TASK_QUEUE", "baton", "Task queue the Baton worker polls."),
    EnvironmentVariable(
        "DATABASE_URL",
        None,
        "PostgreSQL DSN of the event store (TLS: add `?sslmode=verify-full`); unset runs an "
        "embedded PostgreSQL under `BATON_HOME`.",
    ),
    EnvironmentVariable("BATON_DB_SCHEMA", "baton", "PostgreSQL schema holding Baton's tables."),
    EnvironmentVariable("BATON_LOG_FORMAT", "console", "Log output: `json` lines or `console`."),
    EnvironmentVariable("BATON_LOG_LEVEL", "INFO", "Minimum log level (DEBUG, INFO, WARNING...)."),
    EnvironmentVariable(
        "BATON_TEMPORAL_PORT",
        "7233",
        "Port of the embedded Temporal frontend that `baton up` starts (127.0.0.1 only).",
    ),
    EnvironmentVariable(
        "BATON_UI_PORT",
        "8233",
        "Port of the embedded Temporal Web UI (127.0.0.1 only).",
    ),
    EnvironmentVariable(
        "BATON_WEBHOOK_URL",
        None,
        "URL that receives notification POSTs; unset sends none.",
    ),
    EnvironmentVariable(
        "BATON_WEBHOOK_SECRET",
        None,
        "Signs each webhook POST: a `Baton-Signature` header, HMAC-SHA256 over timestamp and body "
        "(see Webhooks); unset: unsigned.",
    ),
    EnvironmentVariable(
        "BATON_SMTP_URL",
        None,
        "Mail server for e-mail notifications: `smtp://[user[:password]@]host[:port]` (STARTTLS "
        "when offered) or `smtps://...` (TLS from the start); unset: no e-mail.",
    ),
    EnvironmentVariable(
        "BATON_SMTP_PASSWORD",
        None,
        "Password for the user in `BATON_SMTP_URL`, when the URL does not carry one.",
    ),
    EnvironmentVariable(
        "BATON_SMTP_CA_FILE",
        None,
        "PEM CA to verify the mail server's certificate with; unset: the system's trusted roots.",
    ),
    EnvironmentVariable(
        "BATON_MAIL_FROM",
        "baton@localhost",
        "Sender address of Baton's e-mail; its domain ends every Message-ID.",
    ),
    EnvironmentVariable(
        "BATON_TIMEZONE",
        "UTC",
        "Time zone of the dates in e-mail (\"due Fri 12 Dec, in 3 days\") and of the digest's "
        "07:00, as an IANA name (Europe/Paris).",
    ),
    EnvironmentVariable(
        "BATON_DIGEST",
        None,
        "`daily` or `weekly` (Mondays): each person's open work and what changed, at 07:00; "
        "unset: no digest.",
    ),
    EnvironmentVariable(
        "BATON_DIGEST_ONLY",
        "false",
        "`true`: e-mail goes out as the digest only, no single messages (the webhook still "
        "gets each one).",
    ),
    EnvironmentVariable(
        "BATON_METRIC_SOURCE_HOSTS",
        None,
        "Comma-separated hosts that metric sources may name: names or shell patterns "
        "(`*.acme.example`), addresses, networks (`10.0.0.0/8`). Unset: any public address; "
        "loopback, link-local, private and multicast ones are refused.",
    ),
    EnvironmentVariable(
        "BATON_ACTOR",
        None,
        "Actor recorded by CLI commands that are not given `--as ACTOR`.",
    ),
    EnvironmentVariable(
        "BATON_ANSWER_TIMEOUT",
        "30",
        "Seconds a command waits for a worker to confirm it; then it exits 3 with the request "
        "id to send it again with.",
    ),
    EnvironmentVariable(
        "BATON_AUDIT_DATABASE_URL",
        None,
        "PostgreSQL DSN (a read-only role) for audit commands; unset: the main database.",
    ),
    # Temporal's own names for these settings, so the `temporal` CLI reads the same ones.
    EnvironmentVariable(
        "TEMPORAL_API_KEY",
        None,
        "API key for `TEMPORAL_ADDRESS` (Temporal Cloud); implies TLS.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS",
        None,
        "`true`: TLS to `TEMPORAL_ADDRESS` even without certificates; `false`: never. "
        "Unset: TLS when an API key, certificate or server name is set.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        None,
        "PEM client certificate for mTLS to `TEMPORAL_ADDRESS`; needs the key.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
        None,
        "PEM private key of the client certificate.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
        None,
        "PEM CA to verify the Temporal server with; unset: the system's trusted roots.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_SERVER_NAME",
        None,
        "Name the Temporal server's certificate carries, when not the host it is dialled by.",
    ),
    EnvironmentVariable(
        "BATON_METRICS_ADDRESS",
        None,
        "ip:port where the worker serves Temporal's Prometheus metrics at `/metrics`; "
        "unset: no metrics.",
    ),
    EnvironmentVariable(
        "BATON_HEALTH_ADDRESS",
        None,
        "ip:port where the worker answers probes at `/livez` and `/readyz`; unset: none.",
    ),
    EnvironmentVariable(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        None,
        "OTLP/HTTP collector the worker sends traces to (`baton[telemetry]`); unset: no "
        "tracing.",
    ),
    EnvironmentVariable(
        "OTEL_SERVICE_NAME",
        "baton-worker",
        "`service.name` of the worker's traces.",
    ),
    EnvironmentVariable(
        "BATON_WEB_HOST",
        "127.0.0.1",
        "Address the HTTP API (`baton up`, `baton web`) listens on; `0.0.0.0` in a container.",
    ),
    EnvironmentVariable("BATON_WEB_PORT", "8000", "Port of the HTTP API."),
    EnvironmentVariable(
        "BATON_PUBLIC_URL",
        None,
        "Where people open Baton's web pages and API, for the links it hands out (e-mail "
        "included); unset: as each request came in, and in e-mail the local web address.",
    ),
    EnvironmentVariable(
        "BATON_SESSION_SECRET",
        None,
        "Key signing browser session cookies (which carry only the session id; the sessions "
        "are in PostgreSQL), at least 32 characters, the same on every web replica; `baton "
        "web` refuses to start without it (`baton up` makes one per start).",
    ),
    EnvironmentVariable(
        "BATON_OIDC_ISSUER",
        None,
        "OpenID Connect issuer URL (exactly as its tokens' `iss`); unset: personal tokens only.",
    ),
    EnvironmentVariable("BATON_OIDC_CLIENT_ID", None, "Baton's client id at the issuer."),
    EnvironmentVariable(
        "BATON_OIDC_CLIENT_SECRET", None, "Baton's client secret at the issuer (sign-in)."),
    EnvironmentVariable(
        "BATON_OIDC_AUDIENCE",
        None,
        "`aud` that API bearer JWTs must carry; unset: the client id.",
    ),
    EnvironmentVariable(
        "BATON_OIDC_PERSON_CLAIM", "email", "Claim naming the person, as specs name people."),
    EnvironmentVariable(
        "BATON_OIDC_GROUPS_CLAIM", "groups", "Claim listing the person's groups."),
    EnvironmentVariable(
        "BATON_OIDC_PMO_GROUP", None, "Group whose members get the `pmo` grant (may launch)."),
    EnvironmentVariable(
        "BATON_OIDC_AUDITOR_GROUP",
        None,
        "Group whose members get the `auditor` grant (audit trails, event feed).",
    ),
    EnvironmentVariable(
        "BATON_URL",
        None,
        "URL of a Baton HTTP API: people's commands then go through it with `BATON_TOKEN` "
        "(and `--as` is refused).",
    ),
    EnvironmentVariable(
        "BATON_TOKEN", None, "Personal token (or identity provider JWT) sent to `BATON_URL`."),
)
