"""Where the shipped parent network lives (no torch import, so finding it is cheap).

``resources/`` sits at the repository root, found from this file, so the path does not depend on the
working folder; it holds for a checkout and for the editable install that ``make setup`` makes.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES: Path = Path(__file__).resolve().parents[2] / "resources"
DEFAULT_PARENT: Path = RESOURCES / "parent" / "parent-lite0-v9.pt"


def is_shipped(path: str | Path) -> bool:
    """Whether ``path`` names the shipped parent file (links and relative paths resolved)."""
    return Path(path).resolve() == DEFAULT_PARENT.resolve()
