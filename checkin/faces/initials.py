"""A face without a photo: the person's initials on a colour of their own."""

import colorsys

from checkin.people.models import Person

GOLDEN_ANGLE = 137.508  # consecutive ids land far apart on the colour wheel


def initials(name: str) -> str:
    """"Ana García" → "AG", "Zoe" → "Z", "" → "?": the first letter of the first two words."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def initials_colours(person: Person) -> tuple[str, str]:
    """(background, text) for ``person``'s initials (see ``background_for``)."""
    return background_for(person.id or 0), "#ffffff"


def background_for(person_id: int) -> str:
    """The colour of a person's own: a hue from their id, dark enough that white text reads
    on it (contrast over 4.5:1 whatever the hue)."""
    hue = person_id * GOLDEN_ANGLE % 360 / 360
    r, g, b = colorsys.hls_to_rgb(hue, 0.30, 0.55)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
