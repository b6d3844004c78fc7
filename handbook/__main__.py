"""``python -m handbook``: the ``handbook`` command."""

import sys

from handbook.cli import main

sys.exit(main())
