"""openrealtime: the OpenAI Realtime protocol in Python, on both ends of the wire."""

__version__ = "0.1.0"
