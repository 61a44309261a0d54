"""How the room mixed: groups, the people who bridged them, and the SVG."""

import xml.etree.ElementTree as ET

from checkin.followups.network import bridges, groups_of, network_svg

# Two tight circles of four, joined only through Eve (5) who met one person in each.
LEFT = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]
RIGHT = [(6, 7), (6, 8), (6, 9), (7, 8), (7, 9), (8, 9)]
EDGES = LEFT + RIGHT + [(4, 5), (5, 6)]
NODES = list(range(1, 10))


def test_two_circles_are_two_groups_and_the_bridge_is_found():
    groups = groups_of(NODES, EDGES)
    assert len({groups[n] for n in (1, 2, 3, 4)}) == 1
    assert len({groups[n] for n in (6, 7, 8, 9)}) == 1
    assert groups[1] != groups[6]
    bridging = bridges(EDGES, groups)
    # Eve sits in one group and met the other: she and the person she met across are bridges.
    assert 5 in bridging and bridging[5] == 1
    assert set(bridging) <= {4, 5, 6}


def test_groups_are_deterministic_and_numbered_by_size():
    first = groups_of(NODES, EDGES)
    assert first == groups_of(NODES, EDGES)
    assert set(first.values()) == {0, 1}


def test_the_svg_is_well_formed_with_one_dot_per_person_and_escaped_names():
    groups = groups_of(NODES, EDGES)
    names = {n: f"<Person {n}> & co" for n in NODES}
    svg = network_svg(names, EDGES, groups, bridges(EDGES, groups), title="Who met whom",
                      empty_text="No connections yet")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 9
    assert len(root.findall(f"{ns}line")) == len(EDGES)
    assert "<Person" not in svg and "&lt;Person 1&gt; &amp; co" in svg
    assert "style=" not in svg and "<script" not in svg


def test_an_empty_network_says_so():
    svg = network_svg({}, [], {}, {}, title="Who met whom", empty_text="No connections yet")
    assert "No connections yet" in svg
    ET.fromstring(svg)
