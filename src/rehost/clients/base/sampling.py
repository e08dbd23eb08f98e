"""The sampling settings a caller gives a client (``SamplingOptions``), validated before any request exists, and
how a call's keyword arguments are split into them (``_sampling_from``). Both are defined once, in
``rehost.shared.chat.sampling_options``, beside the neutral ``Sampling`` they derive from (pydantic: imported
by a client's constructor, not by ``rehost.clients.base``)."""

from __future__ import annotations

from ...shared.chat.sampling import SAMPLING_FIELDS
from ...shared.chat.sampling_options import SamplingOptions
from ...shared.chat.sampling_options import sampling_from as _sampling_from

__all__ = ["SAMPLING_FIELDS", "SamplingOptions", "_sampling_from"]
