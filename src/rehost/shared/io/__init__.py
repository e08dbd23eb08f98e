"""The I/O shells every kind of model work stands on: decisions made by plans that do no I/O, and thin sync /
async shells that carry them out.

- ``retry``: ``RetryPlan``, every decision of one HTTP exchange (send, pace, wait, give up), no I/O;
- ``call``: what one exchange is (``HttpCall``, ``Timeouts``, ``RetryPolicy``) and the hygiene of what it
  carries (header and URL checks, redaction);
- ``http``: ``Transport``, the sync and async request and stream shells over pooled httpx / aiohttp clients;
- ``sse`` / ``ndjson`` / ``lines``: stream framing;
- ``ratelimit``: client-side pacing; ``tls``: the process-wide TLS contexts; ``aio``: the async pools;
- ``state``: the state backend several processes share (``StateBackend``, ``MemoryState``; ``state_redis``:
  ``RedisState``; ``state_sqlite``: ``SqliteState``, records only), behind shared rate limits, breakers and
  the response cache; ``observe``: how a retry deep in the transport reaches the client call's hooks and span;
- ``websocket``: ``Session`` / ``SyncSession``, the session shell for realtime kinds, over ``websockets``
  (imported lazily), with a decision-only connect plan;
- ``polling``: ``PollPlan``, the decisions of polling a long-running job (video, batch speech), and its
  sync / async shells.

Kept free of imports: ``import rehost`` pulls in only what a call uses.
"""
