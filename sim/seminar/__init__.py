"""The classroom seminar: a class plays one run together (``natosim seminar SCENARIO``)."""
