"""The members' directory: the public cards of the members who chose to be listed."""

from sqlalchemy import func, select

from checkin.extensions import db
from checkin.people.cards import public_card
from checkin.people.models import Attendee, Person
from checkin.text import fold

# The same need said in the community's two languages: "who here offers accounting?" finds
# "contabilidad" too. Each group is a set of folded words (or their beginnings) that mean one
# thing; a query word that starts one of them searches for all of them.
EQUIVALENTS = [
    {"accounting", "accountant", "contabilidad", "contable", "bookkeeping"},
    {"tax", "taxes", "impuestos", "fiscal", "asesoria fiscal"},
    {"design", "designer", "diseno", "disenador", "disenadora"},
    {"developer", "development", "software", "programming", "programmer", "desarrollo",
     "desarrollador", "desarrolladora", "programacion", "programador", "programadora"},
    {"marketing", "mercadotecnia"},
    {"sales", "selling", "ventas", "vender", "comercial"},
    {"legal", "lawyer", "law", "abogado", "abogada", "juridico", "juridica"},
    {"funding", "investment", "investor", "investors", "financiacion", "inversion",
     "inversor", "inversores"},
    {"photography", "photographer", "fotografia", "fotografo", "fotografa"},
    {"translation", "translator", "traduccion", "traductor", "traductora"},
    {"mentoring", "mentor", "mentoria", "mentora"},
    {"hiring", "recruiting", "recruitment", "talent", "contratacion", "seleccion", "talento"},
    {"suppliers", "supplier", "proveedores", "proveedor"},
    {"shoes", "shoe", "zapatos", "calzado", "zapateria"},
    {"customers", "clients", "clientes"},
    {"partners", "partner", "socios", "socio", "socia"},
    {"cooking", "food", "cocina", "comida", "restaurante", "restaurant"},
    {"architecture", "architect", "arquitectura", "arquitecto", "arquitecta"},
]
SEARCHED = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch")


def alternatives(word: str) -> set[str]:
    """``word`` and what it means in the other language (from EQUIVALENTS)."""
    found = {word}
    if len(word) < 4:  # "de", "en": too short to say which need is meant
        return found
    for group in EQUIVALENTS:
        if any(term.startswith(word) or word.startswith(term) for term in group):
            found |= group
    return found


def listed_members(person: Person, query: str = "", limit: int = 50, offset: int = 0
                   ) -> tuple[list[dict], int]:
    """One page of the listed members of ``person``'s community but them, by name, and how
    many there are: each one's public card (what they do, offer and need; never how to reach
    them), with ``id``.

    ``query`` words must each appear (accents and case aside, in English or Spanish) in the
    card; a search reads the listed cards here (neither database folds accents), a plain
    page is one indexed query. Only the columns of the public card are read, so no contact
    detail can slip out.
    """
    listed = (Person.community_id == person.community_id, Person.listed.is_(True),
              Person.id != person.id)
    statement = (select(Person.id, *(getattr(Person, name) for name in SEARCHED))
                 .where(*listed).order_by(Person.name_key, Person.id))
    words = [alternatives(w) for w in fold((query or "")[:100]).split()[:8]]
    if not words:
        total = db.session.scalar(select(func.count()).select_from(Person).where(*listed))
        rows = db.session.execute(statement.limit(limit).offset(offset)).all()
        return [{"id": row.id, **public_card(row)} for row in rows], total
    cards = [{"id": row.id, **public_card(row)} for row in db.session.execute(statement)]
    cards = [card for card in cards if _matches(card, words)]
    return cards[offset:offset + limit], len(cards)


def _matches(card: dict, words: list[set[str]]) -> bool:
    text = fold(" ".join(card[name] for name in SEARCHED if card[name]))
    return all(any(term in text for term in options) for options in words)


def askable_at(me: Attendee, people: list[Person]) -> dict[int, int]:
    """{person id: attendee id} of those among ``people`` registered at ``me``'s event who
    take requests to meet: the directory offers to ask them (one query for the page)."""
    wanted = [p.id for p in people if p.accepts_requests]
    if not wanted:
        return {}
    return dict(db.session.execute(select(Attendee.person_id, Attendee.id).where(
        Attendee.event_id == me.event_id, Attendee.person_id.in_(wanted))).all())
