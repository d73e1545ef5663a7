"""Project errors: one base class, specific subclasses that also inherit a built-in.

Every message says what was found, what was expected and how to fix it, so the app can show
it to an officer as it is (``st.error(str(err))``) and a command can print it and exit 2.
"""

from __future__ import annotations


class SiteFinderError(Exception):
    """Base class of every error this project raises on purpose."""


class DataFormatError(ValueError, SiteFinderError):
    """A file is not the kind of geodata expected, or is corrupt."""


class CrsError(ValueError, SiteFinderError):
    """A layer has no coordinate reference system, or one that cannot be used."""


class GeometryError(ValueError, SiteFinderError):
    """Geometries are of the wrong type, invalid beyond repair, or outside Sweden."""


class SchemaError(ValueError, SiteFinderError):
    """Required columns are missing or hold values of the wrong kind."""


class GtfsError(ValueError, SiteFinderError):
    """A GTFS feed lacks a required file or column, or holds unreadable values."""


class OfflineError(ConnectionError, SiteFinderError):
    """An online download was attempted without a working network connection."""


class ManifestError(ValueError, SiteFinderError):
    """The data manifest does not match the files it describes."""


def problems_message(subject: str, problems: list[str]) -> str:
    """Join several problems found in one validation pass into a single message.

    Parameters
    ----------
    subject
        What was validated, e.g. ``"parcels.gpkg"``.
    problems
        One sentence per problem.

    Returns
    -------
    str
        ``subject`` followed by the problems, one per line when there are several.
    """
    if len(problems) == 1:
        return f"{subject}: {problems[0]}"
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"{subject}: {len(problems)} problems:\n{lines}"


class ParameterError(ValueError, SiteFinderError):
    """A user-chosen parameter (profile, weight, filter, format) is unknown or out of range."""


class RegistryError(ValueError, SiteFinderError):
    """Invalid registry input, an unknown record, or an unusable registry database.

    Input is invalid when, e.g., an area is negative or not finite, a status or profile unknown,
    a text too long or holding control characters, or a geometry outside the municipality.
    """


class ArchivedRecordError(RegistryError):
    """The record is archived: archived records are kept for the trail and cannot be edited."""


class DecisionError(RegistryError):
    """An allocation decision does not fit the records' current state.

    The application is not open, the site not available, either is archived or unknown:
    reload the shortlist and decide again.
    """


class ConflictError(RuntimeError, SiteFinderError):
    """Someone else saved the record after it was read: reload and apply the change again."""


class UploadExpiredError(LookupError, SiteFinderError):
    """An uploaded file the server no longer keeps (unused for longer than the idle limit)."""
