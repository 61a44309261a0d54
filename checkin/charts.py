"""Charts drawn on the server as SVG: pure functions from numbers to markup, no I/O.

The SVG uses presentation attributes only (no ``style``), so it passes a CSP without
'unsafe-inline' and survives email clients that strip style sheets.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from html import escape
from zoneinfo import ZoneInfo

BUCKET = timedelta(minutes=5)
# A day of 5-minute bars, more than a chart can show: whatever the data, a chart stays this size.
MAX_BUCKETS = 288
# Doors open before the start: arrivals this early still count on the chart.
EARLY = timedelta(hours=1)
BAR = "#0b57d0"
INK = "#111111"
GRID = "#c8c8c8"


def bucket_start(at: datetime, size: timedelta = BUCKET) -> datetime:
    """The start of the ``size`` bucket holding ``at`` (buckets are aligned to the epoch)."""
    seconds = int(size.total_seconds())
    stamp = int(at.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, UTC)


def arrival_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """The stretch of time an event's arrival chart covers: from an hour before its start."""
    return starts_at - EARLY, ends_at


def arrival_buckets(
    counts: dict[datetime, int] | Iterable[datetime],
    start: datetime | None = None,
    end: datetime | None = None,
    size: timedelta = BUCKET,
    *,
    within: tuple[datetime, datetime] | None = None,
    max_buckets: int = MAX_BUCKETS,
) -> list[tuple[datetime, int]]:
    """Every bucket from ``start`` to ``end`` with its count, empty ones included.

    ``counts`` is either {bucket start: count} (from an SQL GROUP BY) or the arrival
    times themselves. Without ``start``/``end`` the range is the first to the last
    arrival. Arrivals outside ``start``..``end`` (or ``within``, which clips without
    widening the range) are left out: a device clock set to 1970 must not stretch the
    chart over 56 years. At most ``max_buckets`` buckets, from the first.
    """
    if not isinstance(counts, dict):
        tally: dict[datetime, int] = {}
        for at in counts:
            key = bucket_start(at, size)
            tally[key] = tally.get(key, 0) + 1
        counts = tally
    else:
        counts = {bucket_start(k, size): v for k, v in counts.items()}
    low, high = within or (start, end)
    counts = {k: v for k, v in counts.items()
              if (low is None or k >= bucket_start(low, size)) and (high is None or k <= high)}
    first = bucket_start(start, size) if start else min(counts, default=None)
    last = bucket_start(end, size) if end else max(counts, default=None)
    if first is None or last is None:
        return []
    last = min(last, first + (max_buckets - 1) * size)
    buckets, at = [], first
    while at <= last:
        buckets.append((at, counts.get(at, 0)))
        at += size
    return buckets


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _label_every(n: int) -> int:
    """How many bars between time labels, so labels never crowd (about eight at most)."""
    for step in (1, 2, 3, 6, 12, 24, 36, 48, 72, 144, 288):
        if n / step <= 8:
            return step
    return max(1, n // 8)


def arrivals_svg(
    buckets: Sequence[tuple[datetime, int]],
    *,
    tz: str | tzinfo = "UTC",
    title: str = "Arrivals per 5 minutes",
    empty_text: str = "No arrivals yet",
    width: int = 640,
    height: int = 220,
) -> str:
    """A bar chart of arrivals per bucket, labelled in local time of ``tz``.

    ``buckets`` is [(bucket start, count)], as :func:`arrival_buckets` returns.
    ``title`` and ``empty_text`` come translated from the caller.
    """
    zone = _zone(tz)
    left, right, top, bottom = 36, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((count for _, count in buckets), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>',
    ]
    if not buckets or peak == 0:
        parts.append(f'<text x="{width / 2:.0f}" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
                     f'font-family="sans-serif" font-size="14" fill="{INK}">'
                     f"{escape(empty_text)}</text></svg>")
        return "".join(parts)
    parts.append(f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" '
                 f'stroke="{GRID}" stroke-width="1"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-family="sans-serif" '
                 f'font-size="13" fill="{INK}">{peak}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" '
                 f'font-family="sans-serif" font-size="13" fill="{INK}">0</text>')
    slot = plot_w / len(buckets)
    gap = 1 if slot > 3 else 0
    every = _label_every(len(buckets))
    for i, (at, count) in enumerate(buckets):
        x = left + i * slot
        local = at.astimezone(zone).strftime("%H:%M")
        if count:
            bar_h = plot_h * count / peak
            parts.append(f'<rect x="{x + gap:.1f}" y="{top + plot_h - bar_h:.1f}" '
                         f'width="{max(slot - 2 * gap, 0.5):.1f}" height="{bar_h:.1f}" '
                         f'fill="{BAR}"><title>{local}: {count}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-family="sans-serif" '
                         f'font-size="13" fill="{INK}">{local}</text>')
    parts.append("</svg>")
    return "".join(parts)
