"""Figures: one function per figure kind, each returns a matplotlib Figure.

``core`` has the generic figures (traces, f-I, phase plane), ``style`` the
shared report style, and one module per chapter the chapter figures; every
name in a module's ``__all__`` is re-exported here (``nh.plotting.<name>``).
pyplot is imported lazily, inside the functions.
"""

from .core import *  # noqa: F403
from .features2004 import *  # noqa: F403
from .hodgkin_huxley import *  # noqa: F403
from .izhikevich import *  # noqa: F403
from .lif import *  # noqa: F403
from .style import *  # noqa: F403
