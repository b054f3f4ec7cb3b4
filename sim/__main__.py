"""``python -m sim`` is the ``natosim`` command."""

from .cli.commands import main

raise SystemExit(main())
