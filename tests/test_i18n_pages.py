"""Pages as a Spanish and an English speaker read them: one word per meaning, counts in the
right number."""

import io
import re

from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_attendee, make_checkin, make_outbox
from tests.people_helpers import sign_in_as

SPANISH = {"Accept-Language": "es"}


def label(html: str, field: str) -> str:
    return re.search(rf'<label[^>]* for="{field}"[^>]*>([^<]+)<', html).group(1).strip()


def test_staff_role_and_card_job_title_are_two_words(client, owner, event):
    login(client, owner)
    staff = client.get(f"/console/events/{event.slug}/staff", headers=SPANISH).text
    assert label(staff, "role") == "Rol"
    sign_in_as(client, make_attendee(event))
    card = client.get(f"/e/{event.slug}/me", headers=SPANISH).text
    assert label(card, "headline") == "Cargo"


def test_checked_in_reads_the_same_on_the_door_the_console_and_the_summary(client, owner, event):
    make_checkin(make_attendee(event))
    login(client, owner)
    pages = {"dashboard": "/dashboard", "overview": "", "summary": "/summary"}
    for name, path in pages.items():
        html = client.get(f"/console/events/{event.slug}{path}", headers=SPANISH).text
        assert "Han entrado" in html and "Acreditados" not in html, name
    nav = client.get(f"/console/events/{event.slug}", headers=SPANISH).text
    assert ">Resumen<" in nav and "Informe" not in nav


def test_counts_of_one_are_singular(client, owner, event):
    make_attendee(event)
    login(client, owner)
    dashboard = client.get(f"/console/events/{event.slug}/dashboard", headers=SPANISH).text
    assert "1 asistente<" in dashboard
    make_attendee(event)
    make_attendee(event)
    dashboard = client.get(f"/console/events/{event.slug}/dashboard", headers=SPANISH).text
    assert "3 asistentes<" in dashboard  # not English: every plural form is translated
    preview = client.post(f"/console/events/{event.slug}/import",
                          data={"file": (io.BytesIO(b"name,email\nLuis,luis@example.org\n"),
                                         "one.csv")}, content_type="multipart/form-data")
    assert "1 row." in preview.text and "Import 1 guest<" in preview.text
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', preview.text).group(1)
    done = client.post(f"/console/events/{event.slug}/import/confirm", data={"upload": token},
                       headers=SPANISH, follow_redirects=True)
    assert "Importado: 1 añadido, 0 actualizados, 0 sin cambios, 0 omitidos." in done.text


def test_invitation_counts_of_one(client, owner, event):
    make_attendee(event, email="")
    make_attendee(event, email="ana@example.org")
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/invitations", headers=SPANISH).text
    assert "Enviar a 1 invitado sin invitar" in page
    sent = client.post(f"/console/events/{event.slug}/invitations", headers=SPANISH,
                       follow_redirects=True).text
    assert "1 invitación está en la bandeja de salida." in sent
    assert "1 invitado no tiene correo y no se le invitó." in sent


def test_message_statuses_read_alike_on_invitations_and_outbox(client, owner, event):
    attendee = make_attendee(event)
    message = make_outbox(event, kind="invitation", recipient=f"attendee:{attendee.id}")
    message.status = "sending"
    db.session.commit()
    login(client, owner)
    invitations = client.get(f"/console/events/{event.slug}/invitations", headers=SPANISH).text
    outbox = client.get(f"/console/events/{event.slug}/outbox", headers=SPANISH).text
    assert re.search(r"<td[^>]*>Enviando", invitations) and ">Enviando<" in outbox
    assert "Enviándose" not in invitations + outbox
