"""Experiments that run a model, one module per chapter.

``common`` holds the protocols every model shares (f-I curve, current
threshold, rheobase); ``lif``, ``izhikevich``, ``hodgkin_huxley`` and
``features2004`` (Izhikevich 2004, the 20 neuro-computational features) hold
the chapter protocols. Everything listed in a module's ``__all__`` is
re-exported here, so notebooks call ``nh.protocols.<name>``.
"""

from .common import *  # noqa: F403
from .features2004 import *  # noqa: F403
from .hodgkin_huxley import *  # noqa: F403
from .izhikevich import *  # noqa: F403
from .lif import *  # noqa: F403
