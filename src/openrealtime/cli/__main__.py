"""``python -m openrealtime.cli``."""

from . import main

main()
