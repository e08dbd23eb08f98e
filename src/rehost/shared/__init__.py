"""The common ground clients and providers stand on, grouped by kind, one concept per module:

- ``chat/``: the chat contract (messages and parts, tool declarations, thinking, completion, stream events,
  the request and thinking plan, the one definition of the sampling settings, structured output, tools);
- ``embed/``: the embeddings contract;
- ``io/``: decision-only plans and the thin sync / async shells that carry them out (HTTP retry plan and
  Transport, stream framing, rate limits, TLS, async pools, websocket sessions, job polling);
- ``catalog``, ``errors``, ``pricing``, ``tokens``, ``checks``: shared by every kind.

The old flat modules (``types``, ``request``, ``transport``, ``sse`` ...) re-export the new ones, so existing
imports keep working."""
