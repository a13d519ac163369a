"""The scenarios, one module per part of docs/behaviour.md."""
