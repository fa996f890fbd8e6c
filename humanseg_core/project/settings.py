"""Small per-project settings (a mixin of :class:`Project`): what the analyst last chose, e.g. the training
budget, kept in the ``meta`` table as JSON under ``setting:<name>`` so it travels with the project."""

from __future__ import annotations

import json
from typing import Any

PREFIX = "setting:"


class SettingsMixin:
    """setting, set_setting: needs ``_tx``, ``_read``, ``_warn`` and ``path``."""

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

    def set_setting(self, name: str, value: Any) -> None:
        """Store setting ``name`` (any JSON value); committed at once like every write."""
        text = json.dumps(value)
        with self._tx(f"saving the setting {name!r}") as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (PREFIX + name, text))
