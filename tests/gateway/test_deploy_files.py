"""Deployment files: every YAML parses; each service ships with migrations, probes and scaling."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from deploy.gateway.render import SERVICES, UPSTREAMS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BACK_ENDS = SERVICES
EVERYTHING = UPSTREAMS
YAML_FILES = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def base_objects(service: str) -> dict[str, dict[str, Any]]:
    """The service's base manifests by kind (one of each kind)."""
    objects: dict[str, dict[str, Any]] = {}
    for path in (DEPLOY / "k8s" / "base" / service).glob("*.yaml"):
        for doc in documents(path):
            objects[doc["kind"]] = doc
    return objects


def test_there_are_deployment_files() -> None:
    assert len(YAML_FILES) > 10


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_every_yaml_file_parses(path: Path) -> None:
    assert documents(path)


@pytest.mark.parametrize("service", BACK_ENDS)
def test_each_service_has_deployment_service_migration_job_and_autoscaler(service: str) -> None:
    objects = base_objects(service)

    assert {"Deployment", "Service", "Job", "HorizontalPodAutoscaler", "Kustomization"} <= set(
        objects
    )
    [container] = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]
    assert container["resources"]["limits"]
    assert container["envFrom"] == [{"configMapRef": {"name": f"{service}-config"}}]
    secret_refs = {
        item["valueFrom"]["secretKeyRef"]["name"]
        for item in container["env"]
        if "valueFrom" in item
    }
    assert secret_refs == {f"{service}-secrets"}
    [migrate] = objects["Job"]["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["python", "-m", service, "migrate"]
    assert migrate["image"] == container["image"]
    assert objects["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == service
    assert "replicas" not in objects["Deployment"]["spec"]  # the autoscaler owns the count


@pytest.mark.parametrize("overlay", ["local", "production"])
def test_each_overlay_deploys_every_service_and_each_alone(overlay: str) -> None:
    root = DEPLOY / "k8s" / "overlays" / overlay

    [aggregate] = documents(root / "kustomization.yaml")

    assert sorted(aggregate["resources"]) == sorted(EVERYTHING)
    for service in EVERYTHING:
        [alone] = documents(root / service / "kustomization.yaml")
        assert alone["resources"] == [f"../../../base/{service}"]


def test_compose_runs_each_service_after_its_migration_with_a_healthcheck() -> None:
    [compose] = documents(DEPLOY / "compose.yaml")
    services = compose["services"]

    for service in BACK_ENDS:
        definition = services[service]
        assert "/readyz" in " ".join(definition["healthcheck"]["test"])
        assert definition["build"]["dockerfile"] == f"services/{service}/Dockerfile"
        assert definition["build"]["context"] == ".."
        depends = definition["depends_on"]
        assert depends[f"{service}-migrate"]["condition"] == "service_completed_successfully"
        assert depends["rabbitmq"]["condition"] == "service_healthy"
        migrate = services[f"{service}-migrate"]
        assert migrate["command"] == ["python", "-m", service, "migrate"]
        assert migrate["depends_on"][f"{service}-db"]["condition"] == "service_healthy"
        assert "healthcheck" in services[f"{service}-db"]


def test_compose_pools_go_through_pgbouncer_and_session_state_to_the_database() -> None:
    """The pools share PgBouncer's server connections (transaction mode, prepared statements
    kept); LISTEN, advisory locks and migrations need a session, so they connect directly."""
    [compose] = documents(DEPLOY / "compose.yaml")
    services = compose["services"]
    bouncer = configparser.ConfigParser()
    bouncer.read_string((DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text())

    assert bouncer["pgbouncer"]["pool_mode"] == "transaction"
    assert int(bouncer["pgbouncer"]["max_prepared_statements"]) > 0
    assert (
        "./pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro"
        in services["pgbouncer"]["volumes"]
    )
    for service in BACK_ENDS:
        environment = services[service]["environment"]
        prefix = service.upper()
        pooled = make_url(environment[f"{prefix}_DATABASE_URL"])
        direct = make_url(environment[f"{prefix}_DATABASE_DIRECT_URL"])
        assert (pooled.host, pooled.port) == ("pgbouncer", 6432)
        assert (direct.host, direct.database) == (f"{service}-db", service)
        assert bouncer["databases"][service] == f"host={service}-db dbname={service}"
        assert "pgbouncer" in services[service]["depends_on"]
        assert services[f"{service}-migrate"]["environment"] == environment  # migrates directly


def test_compose_gateway_uses_the_shared_template_and_has_a_healthcheck() -> None:
    [compose] = documents(DEPLOY / "compose.yaml")
    services = compose["services"]

    assert "deploy.gateway.render" in services["gateway-config"]["command"][0]
    assert "http://127.0.0.1:8080/healthz" in services["gateway"]["healthcheck"]["test"]
    assert {"rabbitmq", "otel-collector", "jaeger", "prometheus"} <= set(services)
    assert "healthcheck" in services["rabbitmq"]


def test_prometheus_scrapes_every_service() -> None:
    [config] = documents(DEPLOY / "prometheus.yml")

    [job] = [job for job in config["scrape_configs"] if job["job_name"] == "services"]
    targets = {target for group in job["static_configs"] for target in group["targets"]}
    assert targets == {f"{service}:8000" for service in EVERYTHING}


def test_the_web_front_end_deploys_without_database_or_migration() -> None:
    objects = base_objects("web")
    [compose] = documents(DEPLOY / "compose.yaml")
    web = compose["services"]["web"]

    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Kustomization"} <= set(objects)
    assert "Job" not in objects
    [container] = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    secrets = {item["valueFrom"]["secretKeyRef"]["name"] for item in container["env"]}
    assert secrets == {"web-secrets"}
    assert web["build"]["dockerfile"] == "services/web/Dockerfile"
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    assert "web=web:8000" in compose["services"]["gateway-config"]["command"][0]
