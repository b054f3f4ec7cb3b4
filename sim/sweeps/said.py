"""Warnings of the libraries a command uses (SALib, Dask, scikit-learn, NumPy), caught while it
works and said once each in the project's words (:func:`library_warnings`); used by the sweep
commands and by a sweep's report."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

# what a library's warning means to the user, in the project's words: (a phrase of the
# warning, the note printed once however often it came); every other warning of a library is
# shown once as a note naming the library, except those addressed to programmers (deprecations)
# and numpy's arithmetic notices, which say nothing to a user
_SAYINGS = (
    (
        ("Only one bin remains", "Dataset size error", "Unhandled exception", "Singular matrix"),
        (
            "the delta index is left blank where the sweep has too few points for its bins "
            "(a sweep with more --samples fills it); PAWN is unaffected"
        ),
    ),
    (("Bin Merge Notice",), ""),
    (
        ("Potential Bias Notice",),
        (
            "for some factors the delta index differs between its raw and bias-corrected "
            "forms (points unevenly spread over their range): read delta with care, or sweep "
            "more --samples"
        ),
    ),
    (
        ("Convergence properties of the Sobol", "to be a power of 2"),
        "Sobol indices converge best when --samples is a power of two (16, 32, 64, ...)",
    ),
)
_SILENT = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, RuntimeWarning)


@contextlib.contextmanager
def library_warnings() -> Iterator[None]:
    """Catch the warnings SALib, Dask and scikit-learn print while a command works, and say
    each once in the project's words after it (:data:`_SAYINGS`), instead of their raw text
    (which SALib prints one line per factor and output, and with its own formatter)."""
    formatter = warnings.formatwarning  # SALib's delta replaces it for the whole process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            warnings.formatwarning = formatter
    said: list[str] = []
    for w in caught:
        text = str(w.message).strip()
        note = next((n for phrases, n in _SAYINGS if any(ph in text for ph in phrases)), None)
        if note is None:
            if issubclass(w.category, _SILENT):
                continue
            origin = Path(w.filename).parts
            library = next(
                (x for x in ("SALib", "distributed", "dask", "sklearn") if x in origin), ""
            )
            if not library:
                note = f"warning: {text.splitlines()[0] if text else w.category.__name__}"
            else:
                note = f"note: {library} says: {text.splitlines()[0][:300]}"
        elif note:
            note = f"note: {note}"
        if note and note not in said:
            said.append(note)
            print(f"natosim: {note}", file=sys.stderr)
