"""The arrivals chart: a pure function from buckets to SVG."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from checkin.charts import MAX_BUCKETS, arrival_buckets, arrivals_svg, bucket_start

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)


def test_buckets_from_times_fill_the_gaps():
    times = [T0 + timedelta(minutes=1), T0 + timedelta(minutes=4), T0 + timedelta(minutes=16)]
    buckets = arrival_buckets(times)
    assert buckets == [(T0, 2), (T0 + timedelta(minutes=5), 0),
                       (T0 + timedelta(minutes=10), 0), (T0 + timedelta(minutes=15), 1)]


def test_buckets_from_counts_within_a_range():
    counts = {T0 + timedelta(minutes=10): 7}
    buckets = arrival_buckets(counts, start=T0, end=T0 + timedelta(minutes=20))
    assert [c for _, c in buckets] == [0, 0, 7, 0, 0]
    assert bucket_start(T0 + timedelta(minutes=7, seconds=59)) == T0 + timedelta(minutes=5)


def test_svg_draws_one_bar_per_busy_bucket_in_local_time():
    buckets = arrival_buckets({T0: 3, T0 + timedelta(minutes=10): 6})
    svg = arrivals_svg(buckets, tz="Europe/Madrid", title="Llegadas <cada 5 min>")
    root = ET.fromstring(svg)  # well-formed
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#0b57d0"]
    assert len(bars) == 2
    heights = sorted(float(b.get("height")) for b in bars)
    assert heights[1] == 2 * heights[0]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "19:00" in labels  # 17:00 UTC is 19:00 in Madrid in May
    assert root.find(f"{SVG}title").text == "Llegadas <cada 5 min>"
    assert "style" not in svg


def test_svg_without_arrivals_says_so():
    svg = arrivals_svg([], empty_text="Nadie todavía")
    assert "Nadie todavía" in svg
    ET.fromstring(svg)


def test_an_arrival_in_1970_leaves_the_chart_the_size_of_the_event():
    times = [datetime(1970, 1, 1, tzinfo=UTC), T0 + timedelta(minutes=3)]
    assert arrival_buckets(times, within=(T0, T0 + timedelta(hours=4))) == [(T0, 1)]
    start, end = T0, T0 + timedelta(hours=4)
    buckets = arrival_buckets(times, start=start, end=end)
    assert len(buckets) == 49 and sum(c for _, c in buckets) == 1


def test_a_chart_over_an_absurd_range_stays_bounded():
    absurd = [datetime(1970, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC)]
    assert len(arrival_buckets(absurd)) == MAX_BUCKETS
    buckets = arrival_buckets({}, start=absurd[0], end=absurd[1])
    assert len(buckets) == MAX_BUCKETS
    svg = arrivals_svg(arrival_buckets(absurd))
    assert len(svg) < 100_000
