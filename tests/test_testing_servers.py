"""The one helper the tests' and benchmarks' servers start through: a free port, retried."""

from __future__ import annotations

import socket

import pytest

from qse_customer.testing.servers import PortTaken, free_port, on_free_port


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.create_server(("127.0.0.1", port)) as server:
        assert server.getsockname()[1] == port


def test_a_start_refused_on_its_port_is_retried_on_another() -> None:
    ports: list[int] = []

    def start(port: int) -> str:
        ports.append(port)
        if len(ports) < 3:
            raise PortTaken(f"port {port} taken")
        return f"started on {port}"

    assert on_free_port(start) == f"started on {ports[-1]}"
    assert len(ports) == 3


def test_a_port_taken_by_another_program_is_retried() -> None:
    held = socket.create_server(("127.0.0.1", 0))
    taken = held.getsockname()[1]
    offered = iter([taken])
    tried: list[int] = []

    def start(port: int) -> int:
        port = next(offered, port)  # the first offer is the port another program holds
        tried.append(port)
        with socket.create_server(("127.0.0.1", port)) as server:
            return int(server.getsockname()[1])

    with held:
        assert on_free_port(start) != taken
    assert tried[0] == taken and len(tried) == 2


def test_after_the_last_attempt_the_last_error_is_raised() -> None:
    calls = []

    def start(port: int) -> None:
        calls.append(port)
        raise PortTaken(f"attempt {len(calls)}")

    with pytest.raises(PortTaken, match="attempt 4"):
        on_free_port(start, attempts=4)
    assert len(calls) == 4


def test_other_errors_are_not_retried() -> None:
    calls = []

    def start(port: int) -> None:
        calls.append(port)
        raise ValueError("a bad setting")

    with pytest.raises(ValueError, match="a bad setting"):
        on_free_port(start)
    assert len(calls) == 1
