"""``python -m scratchnn.cli``: the command line."""

from . import main

main()
