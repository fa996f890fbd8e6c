"""The shipped parent file: ``{"format": "humanseg-parent", "version": 1, "meta": {...}, "state": {...}}``.

Weights of 2-D+ tensors are stored as fp16 (BatchNorm statistics and biases stay fp32), so the file is ~0.6 MB.
It is written atomically (tmp file + ``os.replace``) and read with ``torch.load(weights_only=True)``; any
missing, corrupt or foreign file raises :class:`~humanseg_core.errors.WeightsError` naming the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

from ..errors import WeightsError
from ..weights import load_failure
from .parent_net import ARCH, DEFAULT_CONFIG, ParentNet, build_parent_net
from .paths import is_shipped

FORMAT = "humanseg-parent"
VERSION = 1


def atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:  # a full disk or Ctrl-C while writing: no partial file left beside it (a review)
        tmp.unlink(missing_ok=True)
        raise


def save_parent_file(path: Path, net: ParentNet, meta: dict[str, Any]) -> None:
    """Write the shipped form of ``net`` (fp16 weights) with ``meta`` (must hold the net's config keys)."""
    state = {}
    for k, v in net.state_dict().items():
        v = v.detach().cpu()
        state[k] = v.half() if v.is_floating_point() and v.dim() >= 2 else v.clone()
    missing = [k for k in DEFAULT_CONFIG if k not in meta]
    if missing:
        raise ValueError(f"meta lacks config keys {missing}")
    plain = json.loads(json.dumps(meta, default=str))  # plain types only, so weights_only=True can read it
    atomic_save({"format": FORMAT, "version": VERSION, "meta": plain, "state": state}, Path(path))


#: the last parent files read in this process: {(path, device, inode, size, mtime): (state, meta)}. A whole-scene
#: run reads the parent once a person (40 ms each on a 2-core machine); a file written again reads afresh
_READ: dict[tuple, tuple[dict[str, torch.Tensor], dict[str, Any]]] = {}
_READ_KEEP = 4


def read_parent_file(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(fp32 state_dict, meta) of a parent file; WeightsError naming the file when unusable. The same file unchanged
    is read once a process: each call gets its own dicts (the tensors are shared: load them, do not change them)."""
    path = Path(path)
    try:
        st = path.stat()
        key: tuple | None = (str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _READ:
        state, meta = _READ[key]
        return dict(state), json.loads(json.dumps(meta))
    state, meta = _read_parent_file(path)
    if key is not None:
        while len(_READ) >= _READ_KEEP:
            _READ.pop(next(iter(_READ)))
        _READ[key] = (state, meta)
    return dict(state), json.loads(json.dumps(meta))


def _read_parent_file(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    if not path.is_file():
        raise WeightsError(f"{path}: " + ("is a folder, not a parent network file" if path.is_dir() else
                                          "parent network file not found")
                           + ("; reinstall the package, or train one with `humanseg parent train`"
                              if is_shipped(path) else ""))
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated, not a torch file, or unsafe pickle
        raise WeightsError(f"{path}: not a usable parent network file: it {load_failure(path, exc)}") from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a HumanSeg parent network file (no '{FORMAT}' header)")
    if int(obj.get("version", 0)) > VERSION:
        raise WeightsError(f"{path}: parent file version {obj.get('version')} is newer than this program "
                           f"reads ({VERSION})")
    meta, state = obj.get("meta"), obj.get("state")
    if not isinstance(meta, dict) or not isinstance(state, dict) or meta.get("arch") != ARCH:
        raise WeightsError(f"{path}: parent file lacks meta/state or has another architecture "
                           f"({meta.get('arch') if isinstance(meta, dict) else None!r}, expected {ARCH!r})")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path}: parent file's state holds something other than tensors")
    broken = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:  # bytes flipped inside the file read as NaN or inf (torch checks no checksum: a re-walk's damaged copy
        # loaded, then found "0 usable labels" for every person)
        some = f"{len(broken)} of its weight tensors hold" if len(broken) > 1 else "a weight tensor of it holds"
        raise WeightsError(f"{path}: not a usable parent network file: it is damaged ({some} values that are not "
                           f"finite numbers, e.g. {broken[0]})")
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}, meta


def load_parent_state(path: Path) -> tuple[ParentNet, dict[str, Any]]:
    """A :class:`ParentNet` built from the file's config with its weights (strict), and the meta dict.

    This is how a per-person (OSVOS test) network starts from the parent: fine-tune the returned net."""
    state, meta = read_parent_file(path)
    net = build_parent_net({**meta, "anchor_input": bool(meta.get("anchor_input", False))}, imagenet=False)
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{path}: weights do not fit the parent network "
                           f"({str(exc).splitlines()[0][:200]})") from None
    return net, meta
