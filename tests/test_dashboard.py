"""The live dashboard: figures, arrivals, the attendee table, and a bounded number of queries."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from bench.scenarios_door import seed_crowd
from checkin.accounts.models import Role
from checkin.columns import now_utc
from checkin.door.services import check_in
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_attendee, make_connection, make_event, make_staff
from tests.statements import statements_run


def dashboard_url(event, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/console/events/{event.slug}/dashboard" + (f"?{params}" if params else "")


def test_dashboard_shows_figures_and_the_arrival_chart(client, owner, event):
    ana = make_attendee(event, first_name="Ana", last_name="Núñez", company="Zapatería")
    luis = make_attendee(event, first_name="Luis", source="walk_in")
    make_attendee(event, first_name="Eva")
    make_connection(ana, luis)
    check_in(event, ana.card_code, gate="Door 1")
    check_in(event, luis.card_code)
    check_in(event, luis.card_code, kind="exit")
    login(client, owner)
    html = client.get(dashboard_url(event)).get_data(as_text=True)
    assert '<strong id="fig-registered">3</strong>' in html
    assert '<strong id="fig-checked-in">2</strong>' in html
    assert '<strong id="fig-inside">1</strong>' in html
    assert '<strong id="fig-walk-ins">1</strong>' in html
    assert '<strong id="fig-connections">1</strong>' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert "door-dashboard.js" in html and "<script>" not in html
    live = client.get(f"/console/events/{event.slug}/dashboard/live").get_data(as_text=True)
    assert '<strong id="fig-inside">1</strong>' in live and "<html" not in live


def test_table_search_filter_sort_and_pages(client, owner, event):
    make_attendee(event, first_name="José", last_name="Núñez", company="B Corp")
    ana = make_attendee(event, first_name="Ana", last_name="Zapata", company="A Corp")
    for i in range(55):
        make_attendee(event, first_name=f"Guest{i:02d}", last_name="Example",
                      company="M Corp", commit=False)
    db.session.commit()
    check_in(event, ana.card_code)
    login(client, owner)
    found = client.get(dashboard_url(event, q="NUNEZ")).get_data(as_text=True)
    assert "José Núñez" in found and "Ana Zapata" not in found
    inside = client.get(dashboard_url(event, status="in")).get_data(as_text=True)
    assert "Ana Zapata" in inside and "José Núñez" not in inside
    by_company = client.get(dashboard_url(event, sort="company")).get_data(as_text=True)
    assert by_company.index("Ana Zapata") < by_company.index("José Núñez")
    first = client.get(dashboard_url(event)).get_data(as_text=True)
    assert "57 attendees" in first and "Page 1 of 2" in first
    second = client.get(dashboard_url(event, page=2)).get_data(as_text=True)
    assert "Page 2 of 2" in second and "José Núñez" in second
    assert "Page 2 of 2" in client.get(dashboard_url(event, page=99)).get_data(as_text=True)


def test_dashboard_is_for_owners_only(client, event):
    assert client.get(dashboard_url(event)).status_code == 302
    door = make_staff(event, Role.DOOR)
    login(client, door)
    assert client.get(dashboard_url(event)).status_code == 404
    assert client.get(f"/console/events/{event.slug}/dashboard/live").status_code == 404
    client.post("/console/logout")
    stranger = make_staff(make_event(), Role.OWNER)
    login(client, stranger)
    assert client.get(dashboard_url(event)).status_code == 404


@pytest.mark.slow
def test_dashboard_queries_stay_bounded_for_ten_thousand_attendees(client, owner, event):
    login(client, owner)
    with statements_run() as small:
        assert client.get(dashboard_url(event, sort="arrived")).status_code == 200
    seed_crowd(event, 10_000, 50_000)
    for query in ({}, {"sort": "arrived", "status": "in"}, {"q": "person 0999", "page": 2}):
        with statements_run() as big:
            started = time.perf_counter()
            response = client.get(dashboard_url(event, **query))
            elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert len(big) <= 10, big
        assert len(big) <= len(small) + 1
        print(f"dashboard {query}: {len(big)} queries, {elapsed * 1000:.0f} ms")
    html = response.get_data(as_text=True)
    assert '<strong id="fig-registered">10000</strong>' in html
    assert '<strong id="fig-connections">50000</strong>' in html
    with statements_run() as live:
        client.get(f"/console/events/{event.slug}/dashboard/live")
    assert len(live) <= 6


def test_arrivals_counted_by_the_database_per_five_minutes(app, event):
    from checkin.door.dashboard import arrival_counts

    start = event.starts_at.replace(second=0, microsecond=0)
    for minutes in (1, 2, 7):
        a = make_attendee(event)
        check_in(event, a.card_code, scanned_at=start + timedelta(minutes=minutes))
    counts = arrival_counts(event)
    assert sum(counts.values()) == 3
    assert sorted(counts.values()) == [1, 2] or sorted(counts.values()) == [1, 1, 1]
    assert all(k.tzinfo is not None and k.timestamp() % 300 == 0 for k in counts)
    assert max(counts) <= now_utc()


def test_dashboard_and_badges_speak_spanish(client, owner, event):
    make_attendee(event)
    login(client, owner)
    spanish = {"Accept-Language": "es"}
    html = client.get(dashboard_url(event), headers=spanish).get_data(as_text=True)
    assert "Panel en directo" in html and "Llegadas cada 5 minutos" in html
    badges = client.get(f"/console/events/{event.slug}/badges", headers=spanish)
    assert "1 acreditación" in badges.get_data(as_text=True)


def test_a_check_in_dated_1970_does_not_stretch_the_dashboard_or_the_summary(client, owner,
                                                                             event):
    from checkin.charts import MAX_BUCKETS
    from checkin.door.dashboard import arrivals
    from checkin.followups.summary import event_summary

    ana, luis = make_attendee(event), make_attendee(event)
    check_in(event, luis.card_code)
    ana.checked_in_at = datetime(1970, 1, 1, tzinfo=UTC)  # as a wrong device clock wrote it
    db.session.commit()
    login(client, owner)
    started = time.perf_counter()
    live = client.get(f"/console/events/{event.slug}/dashboard/live")
    assert live.status_code == 200 and time.perf_counter() - started < 5
    assert len(live.get_data()) < 100_000
    for chart in (arrivals(event), event_summary(event).arrivals):
        assert 0 < len(chart) <= MAX_BUCKETS
        assert sum(count for _, count in chart) == 1  # Luis; the 1970 arrival is left out
        assert chart[0][0] > event.starts_at - timedelta(hours=1, minutes=5)


def test_dashboard_sorts_names_as_people_read_them(owner, event):
    from checkin.door.dashboard import attendee_page

    for first, last in [("Zoe", "Evans"), ("Álvaro", "Gil"), ("Bruno", "Sanz")]:
        make_attendee(event, first_name=first, last_name=last)
    assert [row.name for row in attendee_page(event).rows] == [
        "Álvaro Gil", "Bruno Sanz", "Zoe Evans"]
