"""The test systems' ports: each part of a system gets a port of its own."""

from __future__ import annotations

import socket

from tests.fixtures.infra import free_port


def test_a_process_is_never_given_the_same_port_twice() -> None:
    # The kernel's own choice repeats itself within a few hundred probes here.
    ports = [free_port() for _ in range(1000)]

    assert len(set(ports)) == len(ports)
    for port in ports[-3:]:  # free when given
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", port))
