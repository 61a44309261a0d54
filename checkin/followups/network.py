"""How the room mixed: groups in the network of who met whom, the people who bridged them,
and the drawing as pure SVG (presentation attributes only: passes the CSP, no script)."""

import math
from collections import defaultdict
from html import escape

PALETTE = ("#0b57d0", "#0a7d32", "#a15c00", "#8e24aa", "#b3261e", "#00838f", "#5d4037",
           "#3949ab")
OTHER = "#757575"
NODE_SPACING = 14.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def groups_of(nodes: list[int], edges: list[tuple[int, int]]) -> dict[int, int]:
    """{node: group number}, groups numbered by size (0 the largest).

    Greedy modularity (Clauset, Newman and Moore): start with everyone alone and
    keep merging the two connected groups that raise modularity most. Deterministic,
    and fine for the few hundred people drawn (it is quadratic).
    """
    members = {n: [n] for n in nodes}
    if not edges:
        return {n: i for i, n in enumerate(sorted(nodes))}
    ends = 2 * len(edges)
    share = defaultdict(float)  # a_i: the share of edge ends in group i
    between: dict[tuple[int, int], int] = defaultdict(int)
    for a, b in edges:
        share[a] += 1 / ends
        share[b] += 1 / ends
        if a != b:
            between[(min(a, b), max(a, b))] += 1
    while True:
        best, pair = 1e-12, None
        for (i, j), count in between.items():
            gain = 2 * (count / ends - share[i] * share[j])
            if gain > best:
                best, pair = gain, (i, j)
        if pair is None:
            break
        keep, gone = pair
        members[keep].extend(members.pop(gone))
        share[keep] += share.pop(gone)
        merged: dict[tuple[int, int], int] = defaultdict(int)
        for (i, j), count in between.items():
            i, j = (keep if i == gone else i), (keep if j == gone else j)
            if i != j:
                merged[(min(i, j), max(i, j))] += count
        between = merged
    order = sorted(members, key=lambda g: (-len(members[g]), min(members[g])))
    return {n: number for number, g in enumerate(order) for n in members[g]}


def bridges(edges: list[tuple[int, int]], groups: dict[int, int]) -> dict[int, int]:
    """{node: how many other groups it met} for people who met someone outside their group."""
    reached: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        if groups[a] != groups[b]:
            reached[a].add(groups[b])
            reached[b].add(groups[a])
    return {n: len(g) for n, g in reached.items()}


def _sunflower(count: int) -> list[tuple[float, float]]:
    return [(NODE_SPACING * math.sqrt(k + 0.5) * math.cos(k * GOLDEN_ANGLE),
             NODE_SPACING * math.sqrt(k + 0.5) * math.sin(k * GOLDEN_ANGLE))
            for k in range(count)]


def layout(nodes: list[int], groups: dict[int, int]) -> dict[int, tuple[float, float]]:
    """Each group a sunflower of its members; the groups on a ring around the middle."""
    members: dict[int, list[int]] = defaultdict(list)
    for n in nodes:
        members[groups[n]].append(n)
    order = sorted(members)
    radius = {g: NODE_SPACING * math.sqrt(len(members[g]) + 0.5) + 8 for g in order}
    centres: dict[int, tuple[float, float]] = {}
    if len(order) == 1:
        centres[order[0]] = (0.0, 0.0)
    else:
        ring = max(sum(2 * radius[g] + 12 for g in order) / (2 * math.pi),
                   max(radius.values()) + 12)
        angle = 0.0
        circumference = 2 * math.pi * ring
        for g in order:
            share = (2 * radius[g] + 12) / circumference * 2 * math.pi
            angle += share / 2
            centres[g] = (ring * math.cos(angle), ring * math.sin(angle))
            angle += share / 2
    positions = {}
    for g in order:
        cx, cy = centres[g]
        for n, (x, y) in zip(members[g], _sunflower(len(members[g])), strict=True):
            positions[n] = (cx + x, cy + y)
    return positions


def network_svg(names: dict[int, str], edges: list[tuple[int, int]], groups: dict[int, int],
                bridging: dict[int, int], *, title: str, empty_text: str,
                width: int = 640, labels: dict[int, str] | None = None) -> str:
    """The network as SVG: one dot per person coloured by group, a ring around bridges,
    grey lines inside a group and dark lines across groups, and ``labels`` (the people who
    matter: top connectors, bridges) named beside their dot, the name towards the middle."""
    nodes = list(names)
    def head(w: int) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart network" role="img" '
                f'aria-label="{escape(title)}" width="{w}" ')

    if not nodes:
        return (head(width) + f'height="80" viewBox="0 0 {width} 80"><title>{escape(title)}</title>'
                f'<text x="{width / 2:.0f}" y="45" text-anchor="middle" font-family="sans-serif"'
                f' font-size="14" fill="#111111">{escape(empty_text)}</text></svg>')
    pos = layout(nodes, groups)
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    pad = 12
    min_x, min_y = min(xs) - pad, min(ys) - pad
    view_w, view_h = max(xs) - min_x + pad, max(ys) - min_y + pad
    width = min(width, round(view_w * 2))  # a handful of people is not drawn huge
    height = round(width * view_h / view_w)
    parts = [head(width) + f'height="{height}" viewBox="{min_x:.1f} {min_y:.1f} {view_w:.1f} '
             f'{view_h:.1f}"><title>{escape(title)}</title>',
             f'<rect x="{min_x:.1f}" y="{min_y:.1f}" width="{view_w:.1f}" height="{view_h:.1f}"'
             f' fill="#ffffff"/>']
    for across in (False, True):  # lines across groups drawn last, on top
        for a, b in edges:
            if (groups[a] != groups[b]) != across:
                continue
            (x1, y1), (x2, y2) = pos[a], pos[b]
            colour, opacity = ("#111111", "0.7") if across else ("#9e9e9e", "0.5")
            parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                         f'stroke="{colour}" stroke-opacity="{opacity}" stroke-width="1"/>')
    for n in nodes:
        x, y = pos[n]
        g = groups[n]
        fill = PALETTE[g] if g < len(PALETTE) else OTHER
        ring = ' stroke="#111111" stroke-width="2.5"' if n in bridging else ""
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}"{ring}>'
                     f'<title>{escape(names[n])}</title></circle>')
    parts.extend(_labels(labels or {}, pos, centre_x=min_x + view_w / 2,
                         font_size=LABEL_PX * view_w / width))
    parts.append("</svg>")
    return "".join(parts)


LABEL_PX = 12  # the names' size on screen, whatever the drawing's scale


def _labels(labels: dict[int, str], pos: dict, *, centre_x: float, font_size: float) -> list:
    """A name per labelled dot, on a white halo so lines never cross it unreadably."""
    out = []
    for n, name in labels.items():
        if n not in pos:
            continue
        x, y = pos[n]
        left = x > centre_x
        out.append(f'<text x="{x + (-8 if left else 8):.1f}" y="{y + font_size / 3:.1f}" '
                   f'text-anchor="{"end" if left else "start"}" font-family="sans-serif" '
                   f'font-size="{font_size:.1f}" font-weight="700" fill="#111111" '
                   f'stroke="#ffffff" stroke-width="{font_size / 4:.1f}" paint-order="stroke">'
                   f'{escape(name)}</text>')
    return out
