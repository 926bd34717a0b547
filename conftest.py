"""Makes the shared fixtures of tests/fixtures available to every test suite in the repo."""

pytest_plugins = [
    "tests.fixtures.infra",
    "tests.fixtures.mail",
    "tests.fixtures.otlp",
    "tests.fixtures.tokens",
    "tests.fixtures.tracing",
]
