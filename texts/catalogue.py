"""The text catalogue: gettext ``.po`` files read with Babel, one entry per key, Swedish and English.

Why gettext catalogues rather than a Python module of strings: the ``.po`` format is what
translation tools read and write (Poedit, Weblate, Lokalise, ``msgfmt --check``), so the
municipality's communicators can correct a Swedish wording without touching Python, and a
third language is one more file. Messages are identified by a stable key (``msgid`` is the key,
e.g. ``column.jobs_est``; ``msgstr`` is the text) rather than by the English sentence, because
the same key is used by the app, the prospectus, the command line and the exports, and
English wording may change without breaking the Swedish entry.

The files are read directly with :func:`babel.messages.pofile.read_po` on first use (a few
milliseconds), so there is no compile step and no stale ``.mo`` file. Placeholders use Python's
brace syntax (``{name}``); values are filled in by :func:`text`, numbers formatted for the
language with :func:`texts.formatting.number`. ``tests/texts`` checks that both languages have
every key, the same placeholders and no empty or fuzzy entry.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from babel.messages.pofile import read_po

from errors import SiteFinderError
from texts.formatting import number

#: Languages with a complete catalogue, with their own names; Swedish is the default.
LANGUAGES: Mapping[str, str] = MappingProxyType({"sv": "Svenska", "en": "English"})
DEFAULT_LANGUAGE = "sv"
DOMAIN = "sitefinder"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class MissingTextError(KeyError, SiteFinderError):
    """A text key that the catalogue does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "missing text"


def catalogue_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def messages(lang: str) -> Mapping[str, str]:
    """Key -> text of one language (fuzzy and empty entries are left out, so a test sees them missing)."""
    if lang not in LANGUAGES:
        raise MissingTextError(f"no catalogue for language '{lang}'; available: {', '.join(LANGUAGES)}")
    with catalogue_path(lang).open("rb") as fh:
        catalogue = read_po(fh, locale=lang, domain=DOMAIN)
    return MappingProxyType({str(m.id): str(m.string) for m in catalogue
                             if m.id and isinstance(m.string, str) and m.string and not m.fuzzy})


def keys() -> frozenset[str]:
    """Every key of the catalogue (the union over the languages)."""
    return frozenset().union(*(messages(lang) for lang in LANGUAGES))


def has(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in keys()


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a text expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in.

    Parameters
    ----------
    key
        Catalogue key, e.g. ``"column.jobs_est"``.
    lang
        ``sv`` or ``en``; another code falls back to English.
    **values
        Placeholder values. Numbers (not booleans) are written for the language
        (:func:`texts.formatting.number`: ``1 234`` in Swedish, ``1,234`` in English); format
        other values before passing them.

    Returns
    -------
    str
        Plain text (escape it for the place it goes: markdown, HTML, PDF).

    Raises
    ------
    MissingTextError
        If the key is not in the catalogue.
    """
    table = messages(lang if lang in LANGUAGES else "en")
    try:
        template = table[key]
    except KeyError:
        raise MissingTextError(f"no text '{key}' in the {lang} catalogue; add it to "
                               f"{catalogue_path(lang if lang in LANGUAGES else 'en').relative_to(LOCALE_DIR.parent)}"
                               ) from None
    if not values:
        return template
    return template.format(**{k: _value(v, lang) for k, v in values.items()})


def _value(value: object, lang: str) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return number(value, lang, decimals=0 if isinstance(value, int) or float(value).is_integer() else 1)


@functools.cache
def _patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for template in messages(lang).values():
        parts = []
        for literal, field, _, _ in string.Formatter().parse(template):
            parts.append(re.escape(literal))
            if field is not None:
                parts.append(".+?")
        patterns.append(re.compile("".join(parts), re.DOTALL))
    return tuple(patterns)


def from_catalogue(shown: str, lang: str) -> bool:
    """Whether ``shown`` is a catalogue text of ``lang``, with any values filled in.

    For tests of the interface: every label a Swedish page shows is either data (a designation, a
    number) or ``from_catalogue(label, "sv")``.
    """
    return any(p.fullmatch(shown.strip()) for p in _patterns(lang if lang in LANGUAGES else "en"))
