"""Suggestions: people I did not meet whose offer meets my need, or the reverse."""

from flask_babel import force_locale

from checkin.events.services import close_event
from checkin.followups.render import reason_for, render_followup
from checkin.followups.suggestions import Candidate, SuggestionIndex, keywords
from tests import factories


def index_of(*people):
    return SuggestionIndex([Candidate(i, name, "", "", offer, need)
                            for i, (name, offer, need) in enumerate(people, start=1)])


SPANISH = index_of(
    ("Carmen", "Contabilidad e impuestos para tiendas", "Clientes en hostelería"),
    ("Diego", "Diseño de logotipos y etiquetas", "Una imprenta de confianza"),
    ("Elena", "Imprenta: etiquetas, carteles y packaging", "Diseñadores gráficos"),
    ("Fede", "Clases de inglés", "Salas para talleres"),
)
ENGLISH = index_of(
    ("Grace", "Bookkeeping for small shops", "More clients in retail"),
    ("Henry", "Printing for labels and packaging", "Designers who send us work"),
    ("Iris", "Seed funding and mentoring", "Startups with paying customers"),
    ("Jack", "Workshop rooms by the hour", "A community of freelancers"),
)


def names(suggestions):
    return [s.candidate.name for s in suggestions]


def test_keywords_fold_accents_and_case_and_stem():
    assert set(keywords("DISEÑO")) == set(keywords("diseno"))
    assert set(keywords("tiendas")) & set(keywords("Tienda"))
    assert set(keywords("shops")) & set(keywords("shop"))
    assert keywords("para de la y con the and for") == {}


def test_spanish_offer_meets_my_need():
    found = SPANISH.suggest(99, my_offer="Fotografía de producto",
                            my_need="Alguien que lleve la contabilidad de mi tienda", met=set())
    assert names(found)[0] == "Carmen"
    assert found[0].direction == "offer"
    assert "contabilidad" in found[0].words and "tienda" in found[0].words


def test_spanish_need_meets_my_offer_in_both_directions():
    found = SPANISH.suggest(99, my_offer="Diseño gráfico de etiquetas", my_need="Imprenta",
                            met=set())
    # Elena offers printing (my need) and needs designers (my offer); Diego is a designer
    # who needs a printer, like me: nothing to give each other.
    assert names(found)[0] == "Elena"
    assert "Diego" not in names(found)


def test_english_matching_and_reason_in_plain_words(app):
    found = ENGLISH.suggest(99, my_offer="Accounting", my_need="Label printing", met=set())
    assert names(found) == ["Henry"]
    with force_locale("en"):
        reason = reason_for(found[0])
    assert reason == "Henry offers “Printing for labels and packaging”; you need “Label printing”."
    with force_locale("es"):
        reason = reason_for(found[0])
    assert reason.startswith("Henry ofrece «Printing for labels and packaging»; tú necesitas")


def test_people_met_and_myself_are_never_suggested():
    found = ENGLISH.suggest(3, my_offer="Seed funding", my_need="Startups, workshop rooms",
                            met={4})
    assert "Iris" not in names(found) and "Jack" not in names(found)


def test_common_words_alone_do_not_make_a_match():
    found = ENGLISH.suggest(99, my_offer="Coffee", my_need="More people to talk to", met=set())
    assert found == []


def test_at_most_three_best_first():
    crowd = index_of(*[(f"P{i}", "Accounting help" + " accounting" * (i % 3), "x")
                       for i in range(10)])
    found = crowd.suggest(99, my_offer="", my_need="accounting", met=set())
    assert len(found) == 3
    assert [s.candidate.attendee_id for s in found] == [1, 2, 3]  # ties: the earliest first


def test_only_checked_in_and_suggestible_people_are_suggested(app, owner):
    event = factories.make_event(owner)
    me = factories.make_attendee(event, first_name="Me", need="Contabilidad", language="es")
    came = factories.make_attendee(event, first_name="Came", offer="Contabilidad")
    absent = factories.make_attendee(event, first_name="Absent", offer="Contabilidad")
    shy = factories.make_attendee(event, first_name="Shy", offer="Contabilidad",
                                  suggestible=False)
    for attendee in (me, came, shy):
        factories.make_checkin(attendee)
    index = SuggestionIndex.for_event(event.id)
    assert came.id in index.candidates
    assert absent.id not in index.candidates and shy.id not in index.candidates
    text = render_followup(me).text
    assert "Came Example" in text and "Absent" not in text and "Shy" not in text


def test_someone_who_met_nobody_is_suggested_people_too(app, owner):
    event = factories.make_event(owner)
    nora = factories.make_attendee(event, first_name="Nora", need="Contabilidad para mi tienda",
                                   language="es")
    carmen = factories.make_attendee(event, first_name="Carmen", offer="Contabilidad")
    for attendee in (nora, carmen):
        factories.make_checkin(attendee)
    close_event(event)
    email = render_followup(nora)
    assert email.met == 0
    assert "Carmen Example ofrece «Contabilidad»; tú necesitas «Contabilidad para mi tienda»." \
        in email.text
