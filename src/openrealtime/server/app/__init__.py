"""The ASGI app and its operations: auth, client secrets, admission, shutdown, serving."""
