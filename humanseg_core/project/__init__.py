"""The project store: a folder with ``project.sqlite`` holding inputs, proposals, decisions and results."""

from .store import FILENAME, Project
from .schema import SCHEMA_VERSION

__all__ = ["FILENAME", "Project", "SCHEMA_VERSION"]
