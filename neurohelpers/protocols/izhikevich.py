"""Protocols (experiments) for the izhikevich chapter; see :mod:`neurohelpers.protocols`."""

from __future__ import annotations

__all__: list[str] = []
