r"""The one choke point for user- and file-supplied text on its way to HTML, markdown, PDF and CSV.

Every string that came from a user (form text, URL parameters, uploaded files, the registry)
passes through one of these functions before it reaches a renderer:

- :func:`html_text` for HTML (map tooltips, popups, legends): ``html.escape`` with quotes, and
  also the backtick, ``$`` and backslash, because folium puts tooltip and popup text inside
  JavaScript template literals (where ```` ` ```` ends the string, ``${`` runs code and ``\x3c``
  makes a ``<``), and the braces, because branca compiles some rendered elements (popups) as
  Jinja templates on the server, where ``{{ ... }}`` would run;
- :func:`markdown_text` for Streamlit's markdown (titles, notices, captions, metric help): every
  ASCII punctuation character is backslash-escaped (CommonMark allows it for all of them), which
  disarms links, images, emphasis, HTML, Streamlit's ``:colour[...]`` directives, emoji short
  codes, ``$`` math and bare-URL autolinks; line breaks become spaces;
- :func:`markdown_link` for a link in Streamlit's markdown: the text escaped as above, the address
  only ``http``/``https`` with every character that could end or bend the link destination
  percent-encoded;
- :func:`pdf_text` for matplotlib (the prospectus): control characters dropped; the prospectus
  also draws with ``text.parse_math`` off, so ``$`` never starts math text;
- :func:`csv_cell` / :func:`csv_safe` for CSV exports: cells that a spreadsheet would run as a
  formula (starting with ``= + - @``, tab or carriage return) get a leading apostrophe (OWASP's
  advice for CSV injection); numbers are left alone.
"""

from __future__ import annotations

import html
import re
import string
from urllib.parse import quote

import pandas as pd

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return str(value)


def html_text(value: object) -> str:
    """``value`` as HTML text, safe inside a JavaScript template literal too; line breaks as ``<br>``."""
    text = html.escape(_text(value), quote=True).translate(_JS_TEMPLATE)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def markdown_text(value: object) -> str:
    """``value`` as literal text inside Streamlit markdown (nothing in it is interpreted)."""
    flat = " ".join(_text(value).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def markdown_link(label: object, url: str) -> str:
    """A markdown link to an ``http(s)`` address (plain escaped text for any other scheme).

    Parameters
    ----------
    label
        Link text (escaped with :func:`markdown_text`).
    url
        The address; characters that are not safe in a markdown link destination (spaces,
        brackets, angle brackets, quotes, backslashes, control characters) are percent-encoded.

    Returns
    -------
    str
        ``[label](url)``, or the escaped label alone when the address is not ``http(s)``.
    """
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return markdown_text(label)
    dest = "".join(ch if ch.isprintable() and ch not in ' <>()[]"\\\'`' else quote(ch, safe="") for ch in url)
    return f"[{markdown_text(label)}]({dest})"


def pdf_text(value: object) -> str:
    """``value`` as literal text for matplotlib: control characters become spaces."""
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in _text(value))


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) pass :func:`csv_cell`."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out
