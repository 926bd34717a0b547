"""Render the gateway's nginx config for one environment: upstream addresses and listen address.

`python -m deploy.gateway.render --out .run/gateway --listen 127.0.0.1:8080 \
    --upstream identity=127.0.0.1:8001 --upstream catalog=127.0.0.1:8002 ...`

writes `<out>/nginx.conf` from nginx.conf.template (pid and temp files under the run directory,
so nginx runs as any user); `--check` validates it with `nginx -t`. Standard library only: the
compose deployment runs it in a plain python image.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
SERVICES = ("identity", "catalog", "availability", "booking", "payments", "notifications")
UPSTREAMS = (*SERVICES, "web")
"""The services behind /api/..., and the web front end behind every other path."""
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class GatewayConfig:
    """What differs between environments; everything else is the template."""

    upstreams: Mapping[str, str]  # service name -> host:port
    listen: str  # "8080" or "127.0.0.1:8080"
    run_dir: Path  # pid file and temp files
    openapi_file: Path  # the merged document served at /api/openapi.json
    access_log: str = "/dev/stdout"
    daemon: bool = False
    connect_timeout_seconds: float = 5
    read_timeout_seconds: float = 60
    auth_rate_per_minute: int = 10  # sign-in and sign-up, per client address
    booking_rate_per_minute: int = 20  # booking creation, per client address
    burst: int = 10  # requests over the rate a client may send at once before 429

    def placeholders(self) -> dict[str, str]:
        missing = [name for name in UPSTREAMS if name not in self.upstreams]
        if missing:
            raise ValueError(f"no upstream address for {', '.join(missing)}")
        values = {f"{name.upper()}_UPSTREAM": self.upstreams[name] for name in UPSTREAMS}
        return values | {
            "LISTEN": self.listen,
            "RUN_DIR": str(self.run_dir),
            "OPENAPI_FILE": str(self.openapi_file),
            "ACCESS_LOG": self.access_log,
            "DAEMON": "on" if self.daemon else "off",
            "CONNECT_TIMEOUT": f"{self.connect_timeout_seconds:g}s",
            "READ_TIMEOUT": f"{self.read_timeout_seconds:g}s",
            "AUTH_RATE": str(self.auth_rate_per_minute),
            "BOOKING_RATE": str(self.booking_rate_per_minute),
            "AUTH_BURST": str(self.burst),
            "BOOKING_BURST": str(self.burst),
        }


def render_text(template: str, values: Mapping[str, str]) -> str:
    """Fill every ${NAME} placeholder; an unknown one is an error, not an empty string."""
    unknown = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if unknown:
        raise ValueError(f"template placeholders without a value: {', '.join(unknown)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def render(config: GatewayConfig, out_dir: Path) -> Path:
    """Write `<out_dir>/nginx.conf` for this environment and create the run directory."""
    out_dir.mkdir(parents=True, exist_ok=True)
    config.run_dir.mkdir(parents=True, exist_ok=True)
    conf = out_dir / "nginx.conf"
    conf.write_text(render_text(TEMPLATE.read_text(), config.placeholders()))
    return conf


def nginx_binary() -> str:
    """nginx on PATH, or Debian's /usr/sbin/nginx (not on a normal user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise FileNotFoundError(
            "nginx is not installed: apt-get install -y nginx (make test and make run need it)"
        )
    return found


def nginx_command(conf: Path, *extra: str) -> list[str]:
    """argv that runs nginx on a rendered config; `-e stderr` avoids the built-in log path."""
    prefix = conf.parent.resolve()
    return [nginx_binary(), "-e", "stderr", "-p", f"{prefix}/", "-c", str(conf.resolve()), *extra]


def check(conf: Path) -> None:
    """`nginx -t` on the rendered config; raises with nginx's message when it is invalid."""
    result = subprocess.run(nginx_command(conf, "-t", "-q"), capture_output=True, text=True)
    if result.returncode != 0:
        raise ValueError(f"nginx rejects {conf}:\n{result.stderr}")


def _upstream(text: str) -> tuple[str, str]:
    name, sep, address = text.partition("=")
    if not sep or name not in UPSTREAMS or not address:
        raise argparse.ArgumentTypeError(f"expected <service>=<host:port>, got {text!r}")
    return name, address


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where nginx.conf is written")
    parser.add_argument("--listen", default="8080", help="port or address:port")
    parser.add_argument("--upstream", type=_upstream, action="append", default=[])
    parser.add_argument("--run-dir", type=Path, help="pid and temp files (default: --out)")
    parser.add_argument("--openapi", type=Path, help="merged OpenAPI file (default: in --out)")
    parser.add_argument("--access-log", default="/dev/stdout")
    parser.add_argument("--daemon", action="store_true", help="detach (default: foreground)")
    parser.add_argument("--read-timeout", type=float, default=60)
    parser.add_argument("--check", action="store_true", help="run nginx -t on the result")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    config = GatewayConfig(
        upstreams=dict(args.upstream),
        listen=args.listen,
        run_dir=(args.run_dir or out).resolve(),
        openapi_file=(args.openapi or out / "openapi.json").resolve(),
        access_log=args.access_log,
        daemon=args.daemon,
        read_timeout_seconds=args.read_timeout,
    )
    conf = render(config, out)
    if args.check:
        check(conf)
    print(conf)


if __name__ == "__main__":
    main()
