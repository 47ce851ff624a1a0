"""``python -m engine.cli``: the same as the ``werkpad`` command."""
from . import main

main()
