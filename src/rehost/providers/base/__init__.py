"""What every host stands on: ``Host`` (identity, key, transport, errors, model ids) and one endpoint base
per kind (``ChatEndpoint``, ``EmbedEndpoint``, ``TranscribeEndpoint``, ``SpeakEndpoint``), with the sender
protocols clients talk to (``kinds``)."""

from .chat import ChatEndpoint, PreparedCall, StreamDecoder, StreamFormat, StreamState
from .embed import EmbedEndpoint
from .headers import clean_key
from .host import Host
from .kinds import KINDS, ChatSender, EmbedSender, Kind, Routable, SpeakSender, TranscribeSender
from .speak import SpeakEndpoint
from .status import error_class_for_status
from .transcribe import BytesCall, TranscribeEndpoint

#: the name every host class had before hosts and endpoints were split (issue 13): a host *is* the provider of
#: a client's calls, so ``Provider`` stays the public name of the base, now ``Host``
Provider = Host

__all__ = ["KINDS", "BytesCall", "ChatEndpoint", "ChatSender", "EmbedEndpoint", "EmbedSender", "Host", "Kind",
           "PreparedCall", "Provider", "Routable", "SpeakEndpoint", "SpeakSender", "StreamDecoder", "StreamFormat",
           "StreamState", "TranscribeEndpoint", "TranscribeSender", "clean_key", "error_class_for_status"]
