"""One WebSocket connection: the dialect edge, the bounded outbox, frame logging and probes."""
