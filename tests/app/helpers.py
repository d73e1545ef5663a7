"""What a user reads in an element: the markdown source with its backslash escapes removed."""

from __future__ import annotations

import re


def shown(element) -> str:
    """The element's text as rendered (markdown escapes like ``\\.`` shown as ``.``)."""
    return re.sub(r"\\(.)", r"\1", str(element.value))
