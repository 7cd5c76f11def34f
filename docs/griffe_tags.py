"""A Griffe extension for the API pages: the provenance tags in our docstrings ([P], [R],
[X, ERRATA 5], ...) are text, not Markdown reference links, so they are escaped before rendering.

Markdown links (``[text](url)``) and mkdocstrings cross-references (``[name][]``,
``[text][target]``) are left alone, so a broken cross-reference still fails the strict build.
"""

from __future__ import annotations

import re

import griffe

_TAG = re.compile(r"(?<![\]\\`])\[([^\[\]`\n]*)\](?![\(\[:])")


def escape_tags(text: str) -> str:
    """``[P]`` -> ``\\[P\\]`` outside inline code; links and cross-references unchanged."""
    pieces = re.split(r"(`[^`\n]*`)", text)  # keep inline code as written
    return "".join(p if p.startswith("`") else _TAG.sub(r"\\[\1\\]", p) for p in pieces)


class ProvenanceTags(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = escape_tags(obj.docstring.value)
