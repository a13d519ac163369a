"""Tools for testing Realtime servers and apps: protocol invariants (and, with the
``testing`` extra, the conformance kit, the pytest plugin and record/replay)."""
