"""What every host stands on: ``Host`` (identity, key, transport, errors, model ids) and one endpoint base
per kind (``ChatEndpoint``, ``EmbedEndpoint``, ``TranscribeEndpoint``, ``SpeakEndpoint``), with the sender
protocols clients talk to (``kinds``)."""

from typing import TYPE_CHECKING, Any

from .chat import ChatEndpoint, PreparedCall, StreamDecoder, StreamFormat, StreamState
from .headers import clean_key
from .host import Host
from .kinds import KINDS, ChatSender, EmbedSender, Kind, Routable, SpeakSender, TranscribeSender
from .status import error_class_for_status

if TYPE_CHECKING:
    from .embed import EmbedEndpoint
    from .speak import SpeakEndpoint
    from .transcribe import BytesCall, TranscribeEndpoint

#: the name every host class had before hosts and endpoints were split (issue 13): a host *is* the provider of
#: a client's calls, so ``Provider`` stays the public name of the base, now ``Host``
Provider = Host

__all__ = ["KINDS", "BytesCall", "ChatEndpoint", "ChatSender", "EmbedEndpoint", "EmbedSender", "Host", "Kind",
           "PreparedCall", "Provider", "Routable", "SpeakEndpoint", "SpeakSender", "StreamDecoder", "StreamFormat",
           "StreamState", "TranscribeEndpoint", "TranscribeSender", "clean_key", "error_class_for_status"]


def __getattr__(name: str) -> Any:
    """The endpoint bases of the kinds beyond chat are imported when first asked for (PEP 562): a chat host
    (Groq) never needs them, and they bring their kinds' types with them, so the first import of a chat client
    does not pay for them."""
    if name == "EmbedEndpoint":
        from .embed import EmbedEndpoint

        return EmbedEndpoint
    if name == "SpeakEndpoint":
        from .speak import SpeakEndpoint

        return SpeakEndpoint
    if name in ("BytesCall", "TranscribeEndpoint"):
        from . import transcribe

        return getattr(transcribe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
