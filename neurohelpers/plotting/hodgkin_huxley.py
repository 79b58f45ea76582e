"""Figures of the hodgkin_huxley chapter: one function per figure kind, each returns the Figure."""

from __future__ import annotations

__all__: list[str] = []
