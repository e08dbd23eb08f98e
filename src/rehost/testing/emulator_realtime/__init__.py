"""The realtime emulator: a real websocket server on loopback that speaks realtime voice protocols *server side*
(OpenAI GA and beta, xAI Grok Voice, Gemini Live on AI Studio and Vertex) in front of any neutral
``RealtimeSession`` (the "brain"), with the faults a realtime client must survive.

The package: ``brain`` (``ScriptedBrain``, the deterministic session with no model, and ``BrainFactory``, how
any session, the cascade included, is served), ``front`` (the two loops every front shares, ``Fault``,
``Stats``), one module per vocabulary (``openai``, ``xai``, ``gemini``), ``server`` (``RealtimeEmulator``,
routing, handshake faults, ``realtime_process``) and ``command`` (``python -m rehost.testing.emulator_realtime``,
also ``rehost emulate --realtime PORT``).

    with RealtimeEmulator(reply="Hello there.", audio_deltas=5) as emu:
        async with websockets.connect(emu.url("openai", model="gpt-realtime"),
                                      additional_headers={"Authorization": "Bearer k"}) as ws: ...
"""

from __future__ import annotations

from .brain import BrainFactory, ScriptedBrain, make_brain
from .front import FAULTS, HANDSHAKE_FAULTS, Fault, Stats
from .server import GEMINI_PATH, VERTEX_PATH, RealtimeEmulator, realtime_process

__all__ = ["FAULTS", "GEMINI_PATH", "HANDSHAKE_FAULTS", "VERTEX_PATH", "BrainFactory", "Fault", "RealtimeEmulator",
           "ScriptedBrain", "Stats", "make_brain", "realtime_process"]
