"""What every host stands on: ``Host`` (identity, key, transport, errors, model ids) and one endpoint base
per kind (``ChatEndpoint``, ``EmbedEndpoint``, ``TranscribeEndpoint``, ``SpeakEndpoint``), with the sender
protocols clients talk to (``kinds``)."""

from ._old import Provider
from .chat import ChatEndpoint, PreparedCall, StreamDecoder, StreamFormat, StreamState
from .embed import EmbedEndpoint
from .headers import clean_key
from .host import Host
from .kinds import KINDS, ChatSender, EmbedSender, Kind, Routable, SpeakSender, TranscribeSender
from .speak import SpeakEndpoint
from .status import error_class_for_status
from .transcribe import BytesCall, TranscribeEndpoint

# During the transition a converted host is a Provider too (``isinstance(host, Provider)`` in code still written
# against the old class, such as Fallback's member check), as it will be when ``Provider`` becomes ``Host``.
Provider.register(Host)

__all__ = ["KINDS", "BytesCall", "ChatEndpoint", "ChatSender", "EmbedEndpoint", "EmbedSender", "Host", "Kind",
           "PreparedCall", "Provider", "Routable", "SpeakEndpoint", "SpeakSender", "StreamDecoder", "StreamFormat",
           "StreamState", "TranscribeEndpoint", "TranscribeSender", "clean_key", "error_class_for_status"]
