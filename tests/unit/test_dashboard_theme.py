"""The coins' colours stay apart for every viewer: a minimum CIEDE2000 distance, also under simulated
protanopia, deuteranopia and tritanopia."""

from __future__ import annotations

import itertools

import pytest

from tests.support.colour_vision import VISIONS, Lab, ciede2000, seen
from tweetpulse.dashboard.figures import rate_figure, trend_figure
from tweetpulse.dashboard.theme import GROUP_COLOURS, colour_for

MIN_DELTA_E = 20.0  # well apart for lines side by side (2 is a just-noticeable difference)
GROUPS = ["overall", "bitcoin", "ethereum", "dogecoin"]


@pytest.mark.parametrize(
    ("one", "two", "expected"),
    [  # from Sharma, Wu & Dalal's test data
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ],
)
def test_ciede2000_matches_the_reference_data(
    one: tuple[float, float, float], two: tuple[float, float, float], expected: float
) -> None:
    assert ciede2000(Lab(*one), Lab(*two)) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(Lab(*two), Lab(*one)) == pytest.approx(expected, abs=1e-4)


def test_simulation_merges_what_the_deficiency_confuses() -> None:
    """Red and green, far apart for most, come close under deuteranopia (the simulation does its job)."""
    red, green = "#d62728", "#2ca02c"
    assert ciede2000(seen(red), seen(green)) > 60
    assert ciede2000(seen(red, "deuteranopia"), seen(green, "deuteranopia")) < 25


@pytest.mark.parametrize("vision", list(VISIONS))
def test_coin_colours_are_pairwise_distinct(vision: str) -> None:
    colours = {group: colour_for(group, i) for i, group in enumerate(GROUPS)}
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        distance = ciede2000(seen(ca, vision), seen(cb, vision))
        assert distance >= MIN_DELTA_E, f"{a} {ca} and {b} {cb}: ΔE00 {distance:.1f} for {vision} vision"


def test_the_charts_draw_with_those_colours() -> None:
    for figure in (trend_figure(GROUPS), rate_figure(GROUPS)):
        assert [t["line"]["color"] for t in figure["data"]] == [GROUP_COLOURS[g] for g in GROUPS]
