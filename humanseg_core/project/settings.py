"""Small per-project settings (a mixin of :class:`Project`): what the analyst last chose, e.g. the training
budget, kept in the ``meta`` table as JSON under ``setting:<name>`` so it travels with the project; and the
inputs' places, which :meth:`SettingsMixin.relocate_inputs` changes when the video or a file moved."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import HumansegError, ProjectError
from .paths import INPUT_KEYS, read_inputs, to_stored

if TYPE_CHECKING:
    from ..inputs.scene import Scene
    from ..records import ProjectInputs

PREFIX = "setting:"


IDENTITY_SQL = "SELECT value FROM meta WHERE key = 'created'"  # a project's identity (identity.identity_of too)


class SettingsMixin:
    """setting, set_setting, relocate_inputs: needs ``_tx``, ``_read``, ``_warn``, ``path``, ``folder`` and
    ``inputs``."""

    inputs: ProjectInputs
    folder: Path

    def setting(self, name: str, default: Any = None) -> Any:
        """The stored value of setting ``name`` (``default`` when unset or unreadable)."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (PREFIX + name,))  # type: ignore[attr-defined]
        if not rows:
            return default
        try:
            return json.loads(rows[0][0])
        except (TypeError, ValueError):
            self._warn(f"{self.path}: setting {name!r} was unreadable and is ignored")  # type: ignore[attr-defined]
            return default

    def identity(self) -> str:
        """When the project was made (UTC, microseconds): the same in a copy or a moved folder, another project's
        differs; "" where unrecorded. Exports record it, so a run tells another project's export from its own."""
        rows = self._read(IDENTITY_SQL)  # type: ignore[attr-defined]
        return str(rows[0][0]) if rows and rows[0][0] else ""

    def set_setting(self, name: str, value: Any) -> None:
        """Store setting ``name`` (any JSON value); committed at once like every write."""
        text = json.dumps(value)
        with self._tx(f"saving the setting {name!r}") as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (PREFIX + name, text))

    def skip_bad_lines(self) -> None:
        """Read the trajectory file without its bad rows from now on (``ProjectInputs.skip_bad_lines``): a
        file a bad row was added to after the project was made opens again; its good rows mean what they did."""
        self._store_inputs({"skip_bad_lines": True}, "the inputs' options")

    def set_unnamed_walkers(self, on: bool) -> None:
        """Whether the trajectory file leaves some walkers out (``ProjectInputs.unnamed_walkers``, ADR 0059): the
        proposals and the whole-scene evidence step then look for them from now on."""
        self._store_inputs({"unnamed_walkers": bool(on)}, "the inputs' options")

    def stored_inputs(self) -> ProjectInputs:
        """The inputs stored now: another process (`humanseg relocate`) may have changed them since this one read
        ``self.inputs``. A read-only project's inputs moved for the session are not stored: those stand."""
        if getattr(self, "read_only", False):
            return self.inputs
        with self._using() as conn:  # type: ignore[attr-defined]
            return read_inputs(conn, self.path, self.folder) or self.inputs  # type: ignore[attr-defined]

    def relocate_inputs(self, **paths: str) -> None:
        """Point the project at inputs that moved: new ``video``, ``trajectories`` and/or ``homography`` paths
        (stored relative when inside the project folder). The other inputs' places and options, every decision,
        run and result stay as they are; the caller checks that the new files are the same scene."""
        unknown = sorted(set(paths) - set(INPUT_KEYS))
        if unknown:
            raise ValueError(f"not an input: {', '.join(unknown)} (known: {', '.join(INPUT_KEYS)})")
        moved: dict[str, Any] = {k: str(Path(v).expanduser().resolve()) for k, v in paths.items()}
        if getattr(self, "read_only", False):  # a read-only folder (a copy on a share, its inputs elsewhere): they
            self.inputs = dataclasses.replace(self.inputs, **moved)  # hold while it is open, and are not stored
            self._warn(f"{self.path}: the project is read-only: the inputs' new places hold while it is open "  # type: ignore[attr-defined]
                       "and are not stored")
            return
        self._store_inputs(moved, "the inputs' new places")

    def load_scene(self) -> Scene:
        """The scene of the stored inputs (``scene.load_scene``); inputs no longer where the project left them are
        said to be the project's, with how to point it at their new place (:mod:`.relocate`)."""
        from ..inputs.scene import APPROXIMATE_WARNING, homography_notes, load_scene_of
        from .relocate import moved_inputs, moved_message

        try:
            scene = load_scene_of(self.inputs)
            if APPROXIMATE_WARNING in scene.warnings and self.placed_work():  # (a walk's banner promised an estimate
                scene.warnings = homography_notes(scene.warnings, placed=True)  # ADR
            if self._read("SELECT 1 FROM proposals LIMIT 1"):  # type: ignore[attr-defined]  # 0053 refuses)
                try:  # a project made before 7 Dec: its video as it opens now (ADR 0055)
                    self.keep_video_fingerprint(scene.frames)
                except HumansegError as exc:  # (a full disk): the scene opens all the same
                    self._warn(f"{self.path}: the video's small copies were not kept: {exc}")  # type: ignore[attr-defined]
            return scene
        except HumansegError as exc:
            moved = [(k, p) for k, p in moved_inputs(self.inputs) if not os.path.lexists(p)]  # (a link loop: its
            if not moved:  # own error)
                raise
            raise ProjectError(moved_message(self.folder, moved)) from exc

    def keep_video_fingerprint(self, frames: Any) -> None:
        """Keep small copies of a few of the video's frames (``frames``, a ``FrameSource``; ``inputs.fingerprint``)
        once, when work is first placed on it: a later Locate… or `relocate` to another video of the same size and
        numbering is then told (a data-safety walk's was taken without a word)."""
        from ..inputs.fingerprint import SETTING, take

        if getattr(self, "read_only", False) or self.setting(SETTING) is not None:
            return
        got = take(frames)
        if got is not None:
            self.set_setting(SETTING, got)

    def forget_video_fingerprint(self) -> None:
        """Forget the video's small copies: the analyst took another video as the project's (the next proposals
        keep that one's)."""
        from ..inputs.fingerprint import SETTING

        if getattr(self, "read_only", False):
            return
        with self._tx("forgetting the video's small copies") as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM meta WHERE key = ?", (PREFIX + SETTING,))

    def placed_work(self) -> bool:
        """Whether proposals, labels or runs were placed with the scene as it is read now: a homography given
        or estimated later would place the next persons elsewhere (ADR 0053)."""
        return bool(sum(self.counts().values()) or self.runs())  # type: ignore[attr-defined]

    def use_homography(self, path: str) -> None:
        """Read the scene with the pixel -> world (u, v) homography file ``path`` from now on (one estimated
        from the video for a project made without one: ``workflows.estimate``)."""
        self._store_inputs({"homography": str(Path(path).expanduser().resolve()), "h_order": "uv",
                            "h_direction": "pixel-to-world"}, "the estimated homography")

    def use_frame_offset(self, offset: int) -> None:
        """Read the trajectories with frame offset ``offset`` from now on: for a project made with a wrong one
        (none of its annotated frames in the video), before anything was placed with it. The frames the old offset
        skipped are forgotten: they named persons and frames of another time (a walk's `decide --list` said a person
        not in the clip had its frames skipped)."""
        self._store_inputs({"frame_offset": int(offset)}, "the frame offset")
        with self._tx("forgetting the frames the old frame offset skipped") as conn:  # type: ignore[attr-defined]
            conn.execute("DELETE FROM skips")

    def use_h_order(self, order: str) -> None:
        """Read the homography in pixel order ``order`` (uv or rowcol) from now on: for a project made with the
        wrong one, before anything was placed with it."""
        if order not in ("uv", "rowcol"):
            raise ValueError(f"unknown pixel order {order!r} (uv or rowcol)")
        self._store_inputs({"h_order": order}, "the homography's pixel order")

    def use_reading(self, inputs: Any) -> None:
        """Read the same files as ``inputs`` (a ``ProjectInputs``) reads them from now on: its homography file, pixel
        order and direction, trajectory format, frame offset and step (File ▸ Open of the project's own video and
        trajectories read another way, before anything was placed with the old reading)."""
        keys = ("homography", "h_order", "h_direction", "traj_format", "frame_offset", "frame_step")
        self._store_inputs({k: getattr(inputs, k) for k in keys}, "how the inputs are read")

    def _store_inputs(self, changed: dict[str, Any], what: str) -> None:
        """Store the fields ``changed`` ({name: value}) onto the inputs stored now: another process (``humanseg
        relocate``) may have changed others since this one read them, and those are kept (an audit: the studio's
        next change put back the homography the command line had replaced); each field given is stored, also one
        equal to this process's stale copy (a review)."""
        with self._tx(f"saving {what}") as conn:  # type: ignore[attr-defined]
            now = read_inputs(conn, self.path, self.folder) or self.inputs  # type: ignore[attr-defined]
            merged = dataclasses.replace(now, **changed)
            stored: dict[str, Any] = dataclasses.asdict(merged)
            stored.update({k: to_stored(self.folder, getattr(merged, k)) for k in INPUT_KEYS})
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('inputs', ?)", (json.dumps(stored),))
        self.inputs = merged
