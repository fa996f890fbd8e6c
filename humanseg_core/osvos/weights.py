"""Weights: ImageNet backbones through the torchvision weights API, OSVOS parents, our checkpoints.

Backbone look-up order: the torch hub cache (``torch.hub.get_dir()/checkpoints``), then a download (with
progress and torchvision's hash check) when the network is reachable and downloads are allowed, then a
local file the user picked.  With none of them the networks train from scratch and the caller gets a
visible warning string.  Checkpoints are ``{"state_dict": ..., "meta": {...}}`` files read with
``torch.load(weights_only=True)``; a corrupt or foreign file raises :class:`WeightsError` saying so.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import torch
import torchvision

from ..errors import DiskFullError, WeightsError
from ..jobs import CancelToken, Job, Progress, run_job
from ..weights import download_job, load_failure, reachable
from . import MODELS

if TYPE_CHECKING:
    from .config import CheckpointMeta

BACKBONE_WEIGHTS = {
    "osvos-vgg16": "VGG16_Weights.IMAGENET1K_V1",
    "osvos-lite": "MobileNet_V3_Small_Weights.IMAGENET1K_V1",
}
CHECKPOINT_VERSION = 1


def _online(url: str, timeout: float = 2.0) -> bool:
    return reachable(url, timeout)


def _load_state_file(path: Path, what: str) -> dict:
    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"{path}: {what} not found") from None
    except Exception as exc:  # any unpickling/zip failure means a corrupt file
        raise WeightsError(f"{path}: {what} cannot be used: the file {load_failure(path, exc)}; "
                           "pick another file (or, for a damaged file the project made, delete it to train "
                           "from scratch)") from None
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise WeightsError(f"{path}: {what} holds no state dict of tensors")
    return obj


def backbone_state_job(model: str, allow_download: bool = True, local_file: str | Path | None = None,
                       cancel: CancelToken | None = None) -> Job[tuple[dict | None, list[str]]]:
    """Job: ImageNet weights of the backbone of ``model`` as a torchvision state dict, or (None, [warning]).

    A file given (``local_file``) comes first, then torchvision's cache; a download (when allowed and online)
    goes through :func:`humanseg_core.weights.download_job`: progress
    (``data["download"]`` is True), cancel, the hash check of torchvision's file name, nothing left behind."""
    weights = torchvision.models.get_weight(BACKBONE_WEIGHTS[model])
    filename = Path(urlparse(weights.url).path).name
    cached = Path(torch.hub.get_dir()) / "checkpoints" / filename
    if local_file is not None:  # the analyst's own file first (a docs walk: a download online had replaced it)
        return _load_state_file(Path(local_file), "ImageNet weights"), []
    if cached.is_file():
        return _load_state_file(cached, "cached ImageNet weights"), []
    note = ""
    if allow_download and _online(weights.url):
        try:
            job = download_job(dest=cached, url=weights.url, cancel=cancel)
            while True:
                try:
                    p = next(job)
                except StopIteration as stop:
                    path = stop.value
                    break
                yield Progress(p.done, p.total, p.message, {"download": True}, p.eta_s)
            return _load_state_file(path, "downloaded ImageNet weights"), []
        except WeightsError as exc:  # fall through to scratch
            note = f"download of {filename} failed ({exc}); "
    return None, [
        f"{note}no ImageNet weights for {model} (not in {cached.parent}, offline or downloads off, no local "
        f"file given): training from scratch, expect lower quality. Put {filename} in {cached.parent} "
        "to use them."
    ]


def backbone_state(model: str, allow_download: bool = True, local_file: str | Path | None = None
                   ) -> tuple[dict | None, list[str]]:
    """:func:`backbone_state_job` run to the end (no progress, no cancel)."""
    return run_job(backbone_state_job(model, allow_download, local_file))


def parent_state(path: str | Path) -> dict:
    """OSVOS parent weights (a state dict of the same network) from a user-supplied file."""
    return _load_state_file(Path(path), "OSVOS parent weights")


def _sync_folder(folder: Path) -> None:
    """The folder's entry of a renamed file on disk too (best effort: not every system opens a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_checkpoint(path: str | Path, state_dict: dict, meta: CheckpointMeta) -> Path:
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")  # its own, never another's
    stored = dict(meta, version=CHECKPOINT_VERSION)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:  # on disk before the rename and the run row that names it (a power cut on a
            # file system without ext4's flush on rename could leave the project naming an empty file: a review)
            torch.save({"state_dict": {k: v.detach().cpu() for k, v in state_dict.items()}, "meta": stored}, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        _sync_folder(path.parent)
    except (OSError, RuntimeError) as exc:  # torch says a full disk as RuntimeError("... unexpected pos ...")
        tmp.unlink(missing_ok=True)  # a walk's leftover took the space the project needed to open
        why, full = _write_failure(path, exc)
        raise (DiskFullError if full else WeightsError)(
            f"{path}: the trained network could not be written ({why}); this training was not kept") from exc
    except BaseException:  # Ctrl-C while writing: no partial file left either
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_failure(path: Path, exc: BaseException) -> tuple[str, bool]:
    """(why writing ``path`` failed, in words; whether the disk is full)."""
    import errno
    import shutil

    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = None
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or (free is not None and free < 4 << 20):
        return ("the disk is full" + (f", {free // 1024} kB free" if free is not None else "")
                + ": free some space and train again"), True
    return (str(exc).splitlines()[0] if str(exc) else type(exc).__name__), False


def load_checkpoint(path: str | Path) -> tuple[dict, CheckpointMeta]:
    """(state_dict, meta) of a checkpoint written by :func:`save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: checkpoint not found")
    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"{path}: checkpoint cannot be used: the file {load_failure(path, exc)}; "
                           "train again to replace it") from None
    if not (isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict) and isinstance(obj.get("meta"), dict)):
        raise WeightsError(f"{path}: not a HumanSeg checkpoint (expected state_dict and meta)")
    meta = obj["meta"]
    if meta.get("model") not in MODELS:
        raise WeightsError(f"{path}: checkpoint names an unknown model {meta.get('model')!r}")
    if int(meta.get("version", 0)) > CHECKPOINT_VERSION:
        raise WeightsError(f"{path}: checkpoint version {meta.get('version')} is newer than this program")
    return obj["state_dict"], meta
