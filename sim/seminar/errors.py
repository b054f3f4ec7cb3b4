"""The seminar's refusal (one exception type for every request a page may get wrong)."""

from __future__ import annotations


class SeminarError(ValueError):
    """A request the session refuses (wrong code, taken role, a decision out of bounds, ...)."""
