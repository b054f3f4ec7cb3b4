"""``python -m sim`` is the ``natosim`` command (:func:`sim.cli.entry.main`)."""

from .cli.entry import main

raise SystemExit(main())
