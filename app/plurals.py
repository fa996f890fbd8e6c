"""Counts in words for the studio's messages: "1 frame", "2 frames" (the core's wording, one copy)."""

from __future__ import annotations

from humanseg_core.wording import id_list, persons_text, plural, reasons_text

__all__ = ["id_list", "persons_text", "plural", "reasons_text"]
