"""The whole system as local processes: the services, the Stripe stand-in, the mail sink and
the gateway.

One place that knows how the pieces are wired (ports, databases, issuer, bus namespace, trace
export), used by `make run` and by the end-to-end tests, so both run the system the same way.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.gateway import merge_openapi
from deploy.gateway.render import SERVICES as PUBLIC_SERVICES
from deploy.gateway.render import GatewayConfig, check, nginx_command, render

ROOT = Path(__file__).resolve().parent.parent
SERVICE_NAMES = ("identity", "catalog", "availability", "booking", "payments", "notifications")
STANDIN_WEBHOOK_SECRET = "whsec_standin"


def implemented(name: str) -> bool:
    """A service counts once it has an app (skeleton packages do not)."""
    return importlib.util.find_spec(f"{name}.app") is not None


@dataclass
class SystemLayout:
    """Where everything listens and what it talks to."""

    database_urls: dict[str, str]
    ports: dict[str, int]
    standin_port: int
    gateway_port: int | None
    bus_namespace: str = "onetime"
    rabbit_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    otlp_endpoint: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    web_port: int | None = None  # the web front end, behind the gateway's non-API paths
    smtp_port: int = 1025  # where notifications sends email: the mail sink's SMTP port
    mail_page_port: int | None = None  # the mail sink's page, when this run starts the sink

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def mail_page_url(self) -> str:
        assert self.mail_page_port, "this layout has no mail sink"
        return f"http://127.0.0.1:{self.mail_page_port}"

    @property
    def standin_url(self) -> str:
        return f"http://127.0.0.1:{self.standin_port}"

    @property
    def gateway_url(self) -> str:
        assert self.gateway_port, "this layout has no gateway"
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def stripe_webhook_url(self) -> str:
        """Where Stripe (the stand-in) delivers webhooks: the gateway when there is one."""
        base = (
            f"http://127.0.0.1:{self.gateway_port}" if self.gateway_port else self.url("payments")
        )
        return f"{base}/api/webhooks/stripe"

    def service_env(self, name: str) -> dict[str, str]:
        prefix = name.upper() + "_"
        env = {
            f"{prefix}DATABASE_URL": self.database_urls[name],
            f"{prefix}RABBIT_URL": self.rabbit_url,
            f"{prefix}BUS_NAMESPACE": self.bus_namespace,
            f"{prefix}HTTP_PORT": str(self.ports[name]),
            f"{prefix}AUTH_ISSUER": self.url("identity"),
            f"{prefix}AUTH_JWKS_URL": f"{self.url('identity')}/.well-known/jwks.json",
            "PAYMENTS_STRIPE_API_BASE": self.standin_url,
            "PAYMENTS_STRIPE_WEBHOOK_SECRET": STANDIN_WEBHOOK_SECRET,
            "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
        }
        if "availability" in self.ports:  # booking asks it whether a quoted time is free
            env["BOOKING_AVAILABILITY_URL"] = self.url("availability")
        if self.gateway_port:  # Stripe sends an onboarded owner back to the web's payouts page
            env["IDENTITY_PUBLIC_WEB_URL"] = self.gateway_url  # where emailed links open
            env["NOTIFICATIONS_PUBLIC_WEB_URL"] = self.gateway_url
            env["PAYMENTS_ONBOARDING_RETURN_URL"] = (
                f"{self.gateway_url}/owner/payouts?onboarding=done"
            )
            env["PAYMENTS_ONBOARDING_REFRESH_URL"] = (
                f"{self.gateway_url}/owner/payouts?onboarding=retry"
            )
        if self.otlp_endpoint:
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = self.otlp_endpoint
        return {**os.environ, **env, **self.extra_env}

    def web_env(self) -> dict[str, str]:
        """The web front end calls the API through the gateway, as a browser's person would."""
        assert self.web_port, "this layout has no web front end"
        assert self.gateway_port, "the web front end calls the API through the gateway"
        env = {
            "WEB_HTTP_PORT": str(self.web_port),
            "WEB_API_BASE_URL": self.gateway_url,
            # The checkout's card form runs the stand-in's Stripe.js, as it would Stripe's.
            "WEB_STRIPE_JS_URL": f"{self.standin_url}/v3/",
            "WEB_STRIPE_API_ORIGIN": self.standin_url,
            "WEB_STRIPE_PUBLISHABLE_KEY": "pk_test_onetime_local",
        }
        if self.otlp_endpoint:
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = self.otlp_endpoint
        return {**os.environ, **env, **self.extra_env}

    def standin_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "STRIPE_STANDIN_PORT": str(self.standin_port),
            "STRIPE_STANDIN_WEBHOOK_URL": self.stripe_webhook_url,
            "STRIPE_STANDIN_WEBHOOK_SECRET": STANDIN_WEBHOOK_SECRET,
            # Stripe delivers in parallel, in no set order; one at a time, deliveries would
            # queue up here under load.
            "STRIPE_STANDIN_WEBHOOK_CONCURRENCY": "4",
            **self.extra_env,
        }


@dataclass
class Processes:
    """Child processes with their logs in one folder; stopped together."""

    log_dir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, name: str, url: str, timeout: float = 60) -> None:
        """Wait until the URL answers 200, failing early if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.running[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log_dir / name}.log")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout}s; see {self.log_dir / name}.log")

    def exited(self) -> list[str]:
        return [name for name, process in self.running.items() if process.poll() is not None]

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would: no shutdown hook runs."""
        process = self.running.pop(name)
        process.kill()
        process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


def migrate(layout: SystemLayout, name: str) -> None:
    subprocess.run(
        [sys.executable, "-m", name, "migrate"], env=layout.service_env(name), cwd=ROOT, check=True
    )


def start_service(processes: Processes, layout: SystemLayout, name: str) -> None:
    processes.start(name, [sys.executable, "-m", name], layout.service_env(name))


def start_web(processes: Processes, layout: SystemLayout) -> None:
    processes.start("web", [sys.executable, "-m", "web"], layout.web_env())


def start_standin(processes: Processes, layout: SystemLayout) -> None:
    processes.start(
        "stripe-standin",
        [sys.executable, "-m", "stripe_standin", "--port", str(layout.standin_port)],
        layout.standin_env(),
    )


def start_mail_sink(processes: Processes, layout: SystemLayout) -> None:
    """The SMTP server notifications sends to, with its page of what arrived."""
    processes.start(
        "mail-sink",
        [sys.executable, "-m", "mail_sink", "--smtp-port", str(layout.smtp_port),
         "--http-port", str(layout.mail_page_port)],
        dict(os.environ),
    )  # fmt: skip


def start_gateway(
    processes: Processes, layout: SystemLayout, run_dir: Path, *, rate_per_minute: int | None = None
) -> None:
    """nginx from deploy/gateway in front of the services, serving their merged OpenAPI.

    `rate_per_minute` overrides the per-client limits (load tests come from one address).
    """

    openapi = run_dir / "openapi.json"
    public = [name for name in layout.ports if name in PUBLIC_SERVICES]
    merge_openapi.main(
        ["--out", str(openapi)]
        + [arg for name in public for arg in ("--service", f"{name}={layout.url(name)}")]
    )
    # Without a web front end in this run, its port refuses: pages answer 502.
    web = f"127.0.0.1:{layout.web_port or 9}"
    config = GatewayConfig(
        upstreams={name: f"127.0.0.1:{layout.ports[name]}" for name in public} | {"web": web},
        listen=f"127.0.0.1:{layout.gateway_port}",
        run_dir=run_dir,
        openapi_file=openapi,
        access_log=str(processes.log_dir / "gateway-access.log"),
    )
    if rate_per_minute:
        config = dataclasses.replace(
            config,
            auth_rate_per_minute=rate_per_minute,
            booking_rate_per_minute=rate_per_minute,
            burst=rate_per_minute,
        )
    conf = render(config, run_dir)
    check(conf)
    processes.start("gateway", nginx_command(conf), dict(os.environ))
