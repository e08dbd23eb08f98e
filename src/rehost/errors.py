"""The error taxonomy, as ``rehost.errors`` (defined in ``rehost.shared.errors``)."""

from .shared.errors import *  # noqa: F403
from .shared.errors import __all__  # noqa: F401
