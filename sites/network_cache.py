"""A dataset's routable networks kept on disk next to its indicators.

Building the car, walk and public-transport networks of the demo takes 1.5-5 s of Python (more on a
busy server); reading them back takes milliseconds. The app needs them for the first isochrones a
session asks for, so they are stored once per dataset key (the indicators' key: input checksums,
method version and settings) and read from there on every later server start.

The file is a pickle written by this server into its own cache folder, never one that came with
uploaded data; a file that cannot be read (written by another version, truncated) is rebuilt.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from pathlib import Path

from settings import CACHE_DIR
from sites.dataset import Dataset
from sites.indicators import Networks, build_networks, cache_key

logger = logging.getLogger(__name__)
#: Bumped when :class:`sites.indicators.Networks` or the classes it holds change shape.
NETWORKS_FILE = "networks-v1.pickle"


def load_or_build_networks(ds: Dataset, *, cache_dir: Path | None = CACHE_DIR) -> Networks:
    """The dataset's networks from the disk cache, else built and stored (atomically).

    Parameters
    ----------
    ds
        The loaded dataset.
    cache_dir
        Cache folder (the indicators' one); None builds without storing.

    Returns
    -------
    Networks
        As :func:`sites.indicators.build_networks` builds them.
    """
    if cache_dir is None:
        return build_networks(ds)
    path = Path(cache_dir) / cache_key(ds) / NETWORKS_FILE
    if path.exists():
        try:
            with path.open("rb") as f:
                nets = pickle.load(f)  # our own cache file (module docstring)
            if isinstance(nets, Networks):
                return nets
        except Exception:  # any unreadable cache file is rebuilt, whatever the reason
            logger.warning("networks cache %s unreadable; rebuilding", path.name, exc_info=True)
    nets = build_networks(ds)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".networks-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(nets, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        logger.warning("networks cache %s not written", path.name, exc_info=True)
        Path(tmp).unlink(missing_ok=True)
    return nets
