"""--backend ray --address: a cluster that is not there is a clear message at once (a new-user walk got a
raw traceback for `auto`, an unusable hint for `ray://`, and a hang for a host:port nobody listens on)."""

from __future__ import annotations

import socket

import pytest

from humanseg_core.errors import HumansegError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: nothing listens there


@pytest.mark.parametrize("scheme", ["", "ray://"])
def test_nothing_listening_is_named_at_once(scheme):
    from humanseg_core.workflows.scene_ray import _probe

    address = f"{scheme}127.0.0.1:{_closed_port()}"
    with pytest.raises(HumansegError, match=r"--address .*nothing answers there.*ray start --head"):
        _probe(address, timeout=2.0)
    _probe("auto")  # not a host:port: left to Ray


def test_auto_without_a_cluster_is_a_clear_error():
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        pytest.skip("a Ray of this test session is running")
    from humanseg_core.workflows.scene_ray import ensure_ray

    with pytest.raises(HumansegError, match=r"--address auto: cannot join a Ray cluster there"):
        ensure_ray("auto", 1)
