"""The committed schema files match the models, and the tool that writes them guards them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.schemas import (
    SCHEMA_DIR,
    committed_schemas,
    differences,
    expected_schemas,
    main,
    render,
    write,
)


def test_every_committed_schema_file_has_a_model() -> None:
    stale = sorted(committed_schemas().keys() - expected_schemas().keys())

    assert stale == [], f"schema files without a model: {stale}"


def test_committed_schemas_match_the_models() -> None:
    found = differences()

    assert found == [], "run `uv run python -m contracts.schemas write`:\n" + "\n".join(found)


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    for name, schema in expected_schemas().items():
        (tmp_path / name).write_text(render(schema), encoding="utf-8")
    return tmp_path


def test_check_passes_on_freshly_written_schemas(tmp_path: Path) -> None:
    assert write(tmp_path) == []

    assert main(["check", "--dir", str(tmp_path)]) == 0
    assert {path.name for path in tmp_path.iterdir()} == {p.name for p in SCHEMA_DIR.glob("*.json")}


def test_check_lists_stale_missing_and_changed_files(
    schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (schema_dir / "booking.booking_teleported.v1.json").write_text("{}", encoding="utf-8")
    (schema_dir / "identity.user_deleted.v1.json").unlink()
    committed = json.loads((schema_dir / "identity.user_updated.v1.json").read_text())
    committed["properties"]["email"]["type"] = "integer"
    (schema_dir / "identity.user_updated.v1.json").write_text(json.dumps(committed))

    exit_code = main(["check", "--dir", str(schema_dir)])

    report = capsys.readouterr().err
    assert exit_code == 1
    assert "stale: booking.booking_teleported.v1.json" in report
    assert "missing: identity.user_deleted.v1.json" in report
    assert "changed (BREAKING): identity.user_updated.v1.json" in report
    assert "email: retyped from integer to string" in report


def test_write_refuses_a_breaking_change_under_the_same_version(schema_dir: Path) -> None:
    path = schema_dir / "identity.user_deleted.v1.json"
    committed = json.loads(path.read_text())
    del committed["properties"]["user_id"]
    committed["required"] = []
    path.write_text(json.dumps(committed))

    refused = write(schema_dir)

    assert refused[0].startswith("identity.user_deleted.v1.json: breaking change")
    assert "user_id: new required field" in refused[1]
    assert json.loads(path.read_text()) == committed


def test_write_with_force_overwrites_and_removes_stale_files(schema_dir: Path) -> None:
    stale = schema_dir / "booking.booking_teleported.v1.json"
    stale.write_text("{}", encoding="utf-8")

    assert write(schema_dir, force=True) == []

    assert not stale.exists()
    assert differences(schema_dir) == []
