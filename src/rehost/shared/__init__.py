"""The common ground clients and providers stand on: types, request, errors, transport, SSE, catalogue."""
