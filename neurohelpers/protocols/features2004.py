"""Protocols (experiments) for the features2004 chapter; see :mod:`neurohelpers.protocols`."""

from __future__ import annotations

__all__: list[str] = []
