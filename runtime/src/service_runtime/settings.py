"""Settings every service shares; each service subclasses them with its own env prefix."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_runtime.topology import MAX_RETRY_QUEUES


class HttpSettings(BaseSettings):
    """Knobs of any process that serves HTTP: its name, address, logs and trace export.

    The web front end stands on these alone (it has no database and no bus); a subclass sets
    `env_prefix` (e.g. "WEB_") so each process is configured alone.
    """

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        description="Idle keep-alive; longer than the gateway's so nginx always closes first.",
    )
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    trace_sample_ratio: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description=(
            "Share of new traces recorded. Parent-based: a request or message follows the"
            " decision of the trace it continues, so a booking is traced whole or not at all."
        ),
    )
    trace_sql_statements: bool = Field(
        default=False,
        description=(
            "A span per SQL statement and pool checkout: for chasing a slow query, not for every"
            " day (it costs about a tenth of a busy service's CPU)."
        ),
    )


class ServiceSettings(HttpSettings):
    """Knobs common to all back-end services, read from the environment with safe local defaults.

    A subclass sets `env_prefix` (e.g. "IDENTITY_") so each service is configured alone.
    """

    database_url: str = Field(
        default="postgresql+psycopg://postgres@127.0.0.1:5432/onetime",
        description="The pool's connections: the database, or a PgBouncer in transaction mode "
        "in front of it (then set DATABASE_DIRECT_URL).",
    )
    database_direct_url: str | None = Field(
        default=None,
        description="The database itself, for what a transaction pooler cannot carry: LISTEN, "
        "session advisory locks, migrations. Unset: DATABASE_URL.",
    )
    database_prepared_statements: bool = Field(
        default=True,
        description="psycopg prepares a statement run five times. Off behind a PgBouncer older "
        "than 1.21 or without max_prepared_statements (transaction mode forgets them).",
    )
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    bus_namespace: str = Field(
        default="onetime",
        description="Prefix of the exchange and queue names; tests use a unique one per run.",
    )
    database_pool_size: int = Field(
        default=4,
        ge=1,
        description="Connections each process keeps open; see docs/operations.md for the sum.",
    )
    database_max_overflow: int = Field(
        default=0,
        ge=0,
        description="Connections opened beyond the pool under a burst and closed once it is "
        "over (the outbox relay has its own connection, outside the pool). Each costs a server "
        "process and its statements prepared anew: under steady load they are opened and "
        "closed all the time, so none by default.",
    )
    database_pool_timeout_seconds: float = Field(
        default=10, gt=0, description="How long a request or handler waits for a free connection."
    )
    database_ping_idle_seconds: float = Field(
        default=0.5,
        ge=0,
        description="A pooled connection idle this long is pinged before use (0: always); one "
        "used more recently is trusted, and if the server cut it, that one statement fails.",
    )
    max_deliveries: int = Field(
        default=5,
        ge=1,
        description=(
            "Deliveries of one message by the broker before it goes to the dead letters as"
            " 'delivery limit': redeliveries only happen when a consumer dies holding it."
        ),
    )
    consumer_prefetch: int = Field(
        default=8,
        ge=1,
        description=(
            "Unacknowledged messages a consumer holds (and handles concurrently); what a crash"
            " returns to the queue. Kept below the pool so handlers rarely wait for a connection."
        ),
    )
    retry_delays_seconds: list[float] = Field(
        default=[1, 5, 30, 120],
        max_length=MAX_RETRY_QUEUES,
        description=(
            "Waits before each new attempt of a failed handler; one more failure after the"
            " last goes to the dead letters as 'handler error'. JSON in the environment."
        ),
    )
    outbox_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description=(
            "How often the relay sweeps for rows left unpublished (a unit of work hands it"
            " what it recorded at once after its commit)."
        ),
    )
    outbox_sweep_after_seconds: float = Field(
        default=5.0,
        gt=0,
        description=(
            "How old an unpublished row must be for the sweep to publish it: longer than a"
            " transaction, a publish and the batched mark take (a row swept too early is"
            " published twice, which the consumers' inboxes drop)."
        ),
    )
    message_retention_hours: float = Field(
        default=168,
        gt=0,
        description=(
            "How long published outbox rows and handled inbox ids are kept; the inbox must"
            " remember an id as long as its message can come back (replays included)."
        ),
    )
    message_prune_interval_seconds: float = Field(
        default=600, gt=0, description="How often rows past the retention are deleted."
    )
    # Token verification: the identity service's issuer by default, Clerk's when configured.
    auth_issuer: str = "http://127.0.0.1:8001"
    auth_jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    auth_audience: str | None = "onetime"
    auth_role_claim: str = "role"
    auth_user_id_claim: str = Field(
        default="sub",
        description=(
            "The claim holding our user id (a UUID): `sub` in identity's tokens; with Clerk, the"
            " session-token template's claim set to `{{user.external_id}}` (e.g. `uid`)."
        ),
    )

    @property
    def direct_database_url(self) -> str:
        """Where LISTEN, advisory locks and migrations connect: never through a pooler."""
        return self.database_direct_url or self.database_url
