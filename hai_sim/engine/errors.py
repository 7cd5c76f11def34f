"""The one base of every user-facing error.

``InputError`` is a ``ValueError``: bad parameters, a refused store, a non-finite sweep output and
an unknown experiment module all derive from it. The CLI prints an ``InputError`` as one line and
exits 2; any other exception is a bug and keeps its traceback (exit 1).
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: the message names the parameter, its value and the allowed range."""
