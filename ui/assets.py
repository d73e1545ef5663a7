"""Serve the map's JavaScript and CSS from the app itself (Streamlit static files), never a CDN.

Municipal networks often block CDNs; without Leaflet the map frame stays empty. The files in
``static/vendor/`` come from the npm registry (licences in ``static/vendor/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterator

import folium

STATIC_URL = "/app/static/vendor"

#: CDN URL fragment -> vendored file; anything unlisted is dropped (the app does not use it).
LOCAL_ASSETS: dict[str, str] = {
    "leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "leaflet.markercluster/1.1.0/leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.markercluster/1.1.0/MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet.draw/1.0.2/leaflet.draw.js": "leaflet.draw/leaflet.draw.js",
    "leaflet.draw/1.0.2/leaflet.draw.css": "leaflet.draw/leaflet.draw.css",
}


#: Assets folium.Map always lists that this app never uses (awesome markers, icon fonts).
UNUSED = ("leaflet.awesome-markers", "bootstrap-glyphicons.css", "fontawesome-free", "leaflet.awesome.rotate")


def local_url(url: str) -> str | None:
    """The vendored URL for a CDN URL, or None when the app does not ship (or need) it."""
    for fragment, path in LOCAL_ASSETS.items():
        if url.endswith(fragment):
            return f"{STATIC_URL}/{path}"
    return None


def _walk(element: folium.Element) -> Iterator[folium.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localise(m: folium.Map) -> folium.Map:
    """Point every JS/CSS link of the map and its layers at the vendored copies (in place).

    Raises
    ------
    ValueError
        If a layer needs an asset that is not vendored (add it to ``static/vendor`` first).
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            missing = [url for _, url in links if local_url(url) is None and not any(u in url for u in UNUSED)]
            if missing:
                raise ValueError(f"{type(element).__name__} needs assets that are not vendored: {missing}")
            setattr(element, attr, [(name, local) for name, url in links if (local := local_url(url))])
    return m


def external_links(m: folium.Map) -> list[str]:
    """Every JS/CSS URL the map would still load from outside the app (should be empty)."""
    return [url for element in _walk(m) for attr in ("default_js", "default_css")
            for _, url in getattr(element, attr, []) if not url.startswith("/app/static/")]
