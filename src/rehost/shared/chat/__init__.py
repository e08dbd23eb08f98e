"""The neutral contract of chat: messages and parts, tools, completions with usage and timing, stream events
(``types``), the sampling settings (``sampling``, their one definition), the request and thinking plan
(``request``), structured output (``output``), tool schemas and runners (``tools``, ``schema``).

Kept empty of imports on purpose: ``import rehost.shared.chat.sampling`` must not build every pydantic model of
the contract."""
