"""Fuzzing the server with mutated client frames: the session core and the WebSocket.

``python -m fuzz --help`` lists the campaigns (``make fuzz`` runs them all);
``fuzz/corpus/`` holds the frames that once broke the server, replayed by ``make test``.
"""
