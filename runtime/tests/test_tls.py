"""Outgoing HTTP clients share one TLS context, and it still verifies what it connects to."""

from __future__ import annotations

import ssl

from service_runtime.tls import client_tls


def test_one_context_that_verifies_hosts_against_the_ca_bundle() -> None:
    context = client_tls()

    assert client_tls() is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 100
