"""``python -m sim`` is the ``natosim`` command."""

from .cli import main

raise SystemExit(main())
