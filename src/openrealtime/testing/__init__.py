"""Tools for testing Realtime servers and apps (docs/testing.md).

- :mod:`.invariants`: the protocol's invariants, over whole traces or live streams;
- :mod:`.wire`: a raw Realtime connection with a trace and live invariant checks;
- :mod:`.conformance`: the conformance suite (``openrealtime conformance``);
- :mod:`.recording` and :mod:`.replay`: recordings of sessions, served back
  (``serve --record``, ``openrealtime replay``);
- :mod:`.pytest_plugin`, :mod:`.fixtures` and :mod:`.assertions`: the pytest plugin.

Importing this package imports nothing: its modules load when used.
"""
