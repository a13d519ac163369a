"""The socket-free session core: client events in, server events out.

Nothing here sees a socket, JSON text or a dialect name; the transport and the
dialect edge (``server.transport``) feed it GA client events and drain its sink.
"""
