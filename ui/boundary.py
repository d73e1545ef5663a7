"""The error boundary: what a user sees when something fails, and what goes to the log.

One place for the entry point (``app.py``) and for fragments (which Streamlit reruns without the
entry point): an expected failure (:class:`errors.SiteFinderError`) shows its message; anything
else shows a notice with an id, and its traceback goes to the server's log only, never to the page.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec

import streamlit as st

from errors import SiteFinderError
from sites.safe_text import markdown_text
from ui.i18n import t
from ui.state import K

logger = logging.getLogger("sitefinder.app")
P = ParamSpec("P")


@contextmanager
def error_boundary() -> Iterator[None]:
    """Show a failure in the block as a notice (Streamlit's own rerun and stop signals pass through)."""
    try:
        yield
    except SiteFinderError as err:
        st.error(markdown_text(str(err)))
    except Exception:
        error_id = secrets.token_hex(4)
        logger.exception("unhandled error %s", error_id)
        st.error(t("internal_error", st.session_state.get(K.LANG, "sv"), id=error_id))


def guarded(func: Callable[P, None]) -> Callable[P, None]:
    """``func`` run inside :func:`error_boundary` (for fragments: put it under ``st.fragment``)."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        with error_boundary():
            func(*args, **kwargs)

    return run
