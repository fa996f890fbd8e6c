"""Mask R-CNN COCO weights: find them, fetch them when online, verify them, load them safely.

Resolution order: a file the user picked (``--weights`` / settings), then the torchvision hub cache
(``torch.hub.get_dir()/checkpoints/<file name of the weights URL>``). :func:`download_job` fetches the
file into the cache with progress and cancel when the machine is online. Every file is checked: the
torchvision file name carries a sha256 prefix (``-bf2d0c1e.pth``), checked as ``torch.hub`` does, or a
full sha256 when one is given. With no weights, :class:`WeightsError` says which file is needed, where
it comes from and where it goes, and that ``--method bgs`` works without any weights.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.request
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import WeightsError
from .jobs import CancelToken, EtaClock, Progress

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # the convention of torch.hub
CHUNK = 1 << 20


def weights_url() -> str:
    from torchvision.models.detection import MaskRCNN_ResNet50_FPN_Weights
    return MaskRCNN_ResNet50_FPN_Weights.COCO_V1.url


def weights_filename(url: str | None = None) -> str:
    return os.path.basename(urlparse(url or weights_url()).path)


def cache_path(url: str | None = None) -> Path:
    import torch
    return Path(torch.hub.get_dir()) / "checkpoints" / weights_filename(url)


def hash_prefix(filename: str) -> str | None:
    m = HASH_REGEX.search(os.path.basename(str(filename)))
    return m.group(1) if m else None


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def missing_message(url: str | None = None) -> str:
    url = url or weights_url()
    return (f"Mask R-CNN needs the COCO weights file {weights_filename(url)} (download it from {url}). "
            f"Put it at {cache_path(url)} (the torchvision cache), or pick the file with --weights "
            f"(in the studio: the Weights file field of Generate Proposals), or use --method bgs+parent (the "
            f"default, also the studio's) or bgs, which need no weights.")


def verify(path: str | Path, sha256: str | None = None, expected_name: str | None = None) -> Path:
    """Check ``path`` against a full ``sha256`` when given, else against the hash prefix in the expected
    torchvision file name (or in the file's own name). Raises WeightsError on a mismatch."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: no such weights file. " + missing_message())
    digest = None
    if sha256:
        digest = sha256_of(path)
        if digest.lower() != sha256.lower():
            raise WeightsError(f"{path}: sha256 {digest} does not match the expected {sha256}; "
                               f"the file is corrupt or not the right one. " + missing_message())
        return path
    prefix = hash_prefix(expected_name or path.name)
    if prefix:
        digest = sha256_of(path)
        if not digest.startswith(prefix):
            raise WeightsError(f"{path}: sha256 {digest[:len(prefix)]}... does not match the prefix {prefix} "
                               f"of {expected_name or path.name}; the file is corrupt or incomplete. "
                               + missing_message())
    return path


def resolve(user_path: str | Path | None = None, sha256: str | None = None) -> Path:
    """The weights file to load: the user's file, else the torchvision cache; verified."""
    if user_path:
        p = Path(user_path).expanduser()
        if not p.is_file():
            raise WeightsError(f"{p}: the weights file given with --weights does not exist. "
                               + missing_message())
        # a renamed copy carries no prefix of its own: check it against the official name's prefix
        expected = p.name if hash_prefix(p.name) else weights_filename()
        return verify(p, sha256, expected)
    cached = cache_path()
    if cached.is_file():
        return verify(cached, sha256, cached.name)
    raise WeightsError(missing_message())


def load_failure(path: str | Path, exc: BaseException) -> str:
    """Why ``torch.load(path, weights_only=True)`` failed, in the user's terms. torch's own text for a refused
    pickle advises loading with ``weights_only=False`` (running whatever code the file holds) and carries
    terminal escapes; this never repeats it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as err:
        return f"cannot be read ({err.strerror or type(err).__name__})"
    if not head:
        return "is empty"
    if not (head.startswith(b"PK\x03\x04") or head[:1] == b"\x80"):
        return "is not a PyTorch weights file (it does not begin like one)"
    if type(exc).__name__ == "UnpicklingError":
        return ("holds Python objects besides tensors and plain settings; such files are never loaded, as "
                "loading them could run code they carry")
    return "is truncated or damaged (it begins like a PyTorch weights file, but its contents do not read)"


def load_state_dict(path: str | Path) -> Any:
    """The state dict of a weights file, loaded safely (``weights_only=True``)."""
    import torch
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"{path}: cannot load the weights: the file {load_failure(path, exc)}. "
                           + missing_message()) from None


def reachable(url: str, timeout: float = 2.0) -> bool:
    """Whether the host of ``url`` answers on port 443 within ``timeout``, its name looked up included (a review:
    a resolver that drops queries held the check 10 s); True when a proxy is set for https (urllib goes through
    it, a direct connection would say no)."""
    import socket
    import threading

    if urllib.request.getproxies().get("https"):
        return True
    host = urlparse(url).hostname
    answer: list[bool] = []

    def connect() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                answer.append(True)
        except OSError:
            answer.append(False)

    worker = threading.Thread(target=connect, name="weights-reachable", daemon=True)  # left behind if it hangs
    worker.start()
    worker.join(timeout)
    return bool(answer and answer[0])


def fetch_job(user_path: str | Path | None = None, cancel: CancelToken | None = None,
              url: str | None = None) -> Generator[Progress, None, Path | None]:
    """Job: when no file is given and the cache has none, the weights downloaded into the cache with progress
    if the machine is online (the user chose Mask R-CNN: a docs walk found the README's download never made);
    returns the downloaded file, or None (a file given or cached, or offline: :func:`resolve` then checks it
    or says what to put where). A failed download raises its WeightsError."""
    url = url or weights_url()
    if user_path or cache_path(url).is_file():
        return None
    yield Progress(0, 0, f"looking whether {weights_filename(url)} can be downloaded…")
    if not reachable(url):
        return None
    return (yield from download_job(url=url, cancel=cancel))


def download_job(dest: str | Path | None = None, url: str | None = None, cancel: CancelToken | None = None,
                 timeout: float = 30.0) -> Generator[Progress, None, Path]:
    """Job: download the weights into the torchvision cache (or ``dest``) with progress; returns the path.

    The file is written to a temporary name beside the destination, verified against the hash prefix of
    its name, then moved in place; a cancel or a failure leaves nothing behind."""
    url = url or weights_url()
    dest = Path(dest) if dest else cache_path(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd: int | None
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".partial", dir=dest.parent)
    clock = EtaClock()
    try:
        try:
            resp = urllib.request.urlopen(url, timeout=timeout)
        except OSError as exc:
            raise WeightsError(f"cannot download {url} ({exc}); this machine seems offline. "
                               + missing_message(url)) from exc
        total = int(resp.headers.get("Content-Length") or 0)
        done = 0
        assert fd is not None
        with os.fdopen(fd, "wb") as out, resp:
            fd = None
            while True:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                block = resp.read(CHUNK)
                if not block:
                    break
                out.write(block)
                done += len(block)
                yield Progress(done, total, f"downloading {dest.name}: {done / 1e6:.1f} MB",
                               eta_s=clock.eta(done, total))
        verify(tmp, expected_name=dest.name)
        os.replace(tmp, dest)
        return dest
    finally:
        if fd is not None:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
