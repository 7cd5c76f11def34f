"""A Griffe extension for the API pages: our docstrings are written for readers of the source, so
two habits of theirs are translated before rendering.

- Provenance tags ([P], [R], [X, ERRATA 5], ...) are text, not Markdown reference links: they are
  escaped. Markdown links (``[text](url)``) and mkdocstrings cross-references (``[name][]``,
  ``[text][target]``) are left alone, so a broken cross-reference still fails the strict build.
- Sphinx roles (``:func:`sweep```, ``:class:`~hai_sim.engine.Params```) become inline code.
"""

from __future__ import annotations

import re

import griffe

_TAG = re.compile(r"(?<![\]\\`])\[([^\[\]`\n]*)\](?![\(\[:])")
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|obj|exc|const|term|ref):`~?([^`]+)`")
_CODE = re.compile(r"(``.+?``|`[^`\n]*`)")


def _translate_prose(text: str) -> str:
    pieces = _CODE.split(text)  # odd pieces are inline code: kept as written
    return "".join(p if i % 2 else _TAG.sub(r"\\[\1\\]", p) for i, p in enumerate(pieces))


def translate(text: str) -> str:
    """Roles -> inline code; ``[P]`` -> ``\\[P\\]`` in prose (not in code, doctests or fences)."""
    out, in_fence, in_doctest = [], False, False
    for line in _ROLE.sub(r"`\1`", text).split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif stripped.startswith(">>>"):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        out.append(line if in_fence or in_doctest or stripped.startswith("```") else _translate_prose(line))
    return "\n".join(out)


class ProvenanceTags(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = translate(obj.docstring.value)
