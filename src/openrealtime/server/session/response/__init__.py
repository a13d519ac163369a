"""The response lifecycle: plan, state table (run), engine driver, token budget."""
