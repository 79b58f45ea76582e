"""Protocols (experiments) for the hodgkin_huxley chapter; see :mod:`neurohelpers.protocols`."""

from __future__ import annotations

__all__: list[str] = []
