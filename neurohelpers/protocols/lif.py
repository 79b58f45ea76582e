"""Protocols (experiments) for the lif chapter; see :mod:`neurohelpers.protocols`."""

from __future__ import annotations

__all__: list[str] = []
