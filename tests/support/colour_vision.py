"""Colour difference as people see it: CIELAB, CIEDE2000, and simulated colour-vision deficiencies.

CIEDE2000 follows Sharma, Wu & Dalal, "The CIEDE2000 Color-Difference Formula: Implementation Notes,
Supplementary Test Data, and Mathematical Observations" (2005). Dichromacy is simulated with the
full-severity matrices of Machado, Oliveira & Fernandes, "A Physiologically-based Model for Simulation
of Color Vision Deficiency" (2009), applied to linear sRGB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]

VISIONS: dict[str, Matrix | None] = {
    "normal": None,
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
WHITE_D65 = (0.95047, 1.0, 1.08883)


class Lab(NamedTuple):
    L: float
    a: float
    b: float


def linear_rgb(colour: str) -> tuple[float, float, float]:
    """``#rrggbb`` → linear-light sRGB in [0, 1]."""
    text = colour.lstrip("#")
    channels = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def simulate(rgb: Sequence[float], matrix: Matrix | None) -> tuple[float, float, float]:
    if matrix is None:
        return rgb[0], rgb[1], rgb[2]
    r, g, b = (min(1.0, max(0.0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])) for row in matrix)
    return r, g, b


def lab(rgb: Sequence[float]) -> Lab:
    r, g, b = rgb
    xyz = (
        0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        0.0193339 * r + 0.1191920 * g + 0.9503041 * b,
    )
    delta = 6 / 29

    def f(t: float) -> float:
        return t ** (1 / 3) if t > delta**3 else t / (3 * delta**2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, WHITE_D65, strict=True))
    return Lab(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def seen(colour: str, vision: str = "normal") -> Lab:
    """How ``colour`` looks to a viewer with ``vision`` (a key of :data:`VISIONS`), in CIELAB."""
    return lab(simulate(linear_rgb(colour), VISIONS[vision]))


def _hue(b: float, a: float) -> float:
    return math.degrees(math.atan2(b, a)) % 360 if (a or b) else 0.0


def ciede2000(one: Lab, two: Lab) -> float:
    """ΔE00 between two CIELAB colours (kL = kC = kH = 1)."""
    c_mean = (math.hypot(one.a, one.b) + math.hypot(two.a, two.b)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * one.a, (1 + g) * two.a
    c1, c2 = math.hypot(a1, one.b), math.hypot(a2, two.b)
    h1, h2 = _hue(one.b, a1), _hue(two.b, a2)

    dh = 0.0
    if c1 * c2:
        dh = h2 - h1
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_lightness = two.L - one.L
    d_chroma = c2 - c1
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))

    l_mean = (one.L + two.L) / 2
    c_mean_p = (c1 + c2) / 2
    if not c1 * c2:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    rotation = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(c_mean_p**7 / (c_mean_p**7 + 25**7))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc = 1 + 0.045 * c_mean_p
    sh = 1 + 0.015 * c_mean_p * t
    rt = -math.sin(math.radians(2 * rotation)) * rc
    return math.sqrt(
        (d_lightness / sl) ** 2 + (d_chroma / sc) ** 2 + (d_hue / sh) ** 2 + rt * (d_chroma / sc) * (d_hue / sh)
    )
