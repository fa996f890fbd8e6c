"""The project store: a folder with ``project.sqlite`` holding inputs, proposals, decisions and results."""

from .schema import SCHEMA_VERSION
from .store import FILENAME, Project

__all__ = ["FILENAME", "Project", "SCHEMA_VERSION"]
