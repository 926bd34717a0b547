#!/usr/bin/env bash
# Build one service the way its Docker image does (only its folder, contracts and the runtime
# kit, no dev tools) and check that it imports and starts: catches undeclared dependencies that
# the shared development venv hides.
set -euo pipefail
service=$1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/services"
cp "$root/pyproject.toml" "$root/uv.lock" "$work/"
cp -r "$root/contracts" "$root/runtime" "$work/"
cp -r "$root/services/$service" "$work/services/"
cd "$work"
python3 -m uv sync --quiet --frozen --no-dev --no-editable --package "onetime-$service"
if [ -f "services/$service/src/$service/app.py" ]; then
  .venv/bin/python -c "from $service.app import create_app; create_app()"
  .venv/bin/python -m "$service" --help >/dev/null
fi
echo "$service: installs and starts alone"
