"""The Spanish catalogues: one meaning per string across domains, complete, tú throughout."""

import re
from collections import defaultdict

import pytest
from babel.messages.extract import extract_from_file

from checkin import catalogues


def _spanish(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _key(message) -> tuple[str | None, str]:
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def catalogues_by_domain():
    return {domain: catalogues.read_catalogue(domain) for domain in catalogues.domains()}


def test_no_two_catalogues_translate_one_string_two_ways(catalogues_by_domain):
    """Flask-Babel merges every domain's catalogue into one, and the last one loaded wins: a word
    that means two things (a staff role, a job title) needs a pgettext context."""
    seen = defaultdict(dict)
    for domain, catalogue in catalogues_by_domain.items():
        for message in catalogue:
            if message.id and any(_spanish(message)):
                seen[_key(message)][domain] = _spanish(message)
    clashes = {key: by_domain for key, by_domain in seen.items()
               if len(set(by_domain.values())) > 1}
    assert not clashes, "\n".join(
        f"{context or ''}|{msgid!r}: " + "; ".join(f"{d}={s[0]!r}" for d, s in by_domain.items())
        for (context, msgid), by_domain in sorted(clashes.items(), key=str))


@pytest.mark.parametrize("domain", catalogues.domains())
def test_every_string_the_code_marks_has_spanish(domain, catalogues_by_domain):
    """What the code and templates mark today (make messages) is translated, every plural form
    included: an empty form falls back to English on the page."""
    catalogue = catalogues_by_domain[domain]
    missing = []
    for message in catalogues.extract(domain):
        if not message.id:
            continue
        translated = catalogue.get(message.id, context=message.context)
        if (translated is None or translated.fuzzy or not all(_spanish(translated))
                or len(_spanish(translated)) != (3 if message.pluralizable else 1)):
            missing.append(f"{message.context or ''}|{_key(message)[1]!r} "
                           f"({message.locations[0][0]})")
    assert not missing, f"run `make messages` and translate in {domain}:\n" + "\n".join(missing)


# Spain's vosotros, which the app never uses: verb endings (estáis, tenéis, conocisteis,
# tendréis), the pronouns, and imperatives (abrid, mirad, escaneaos).
VOSOTROS = re.compile(
    r"\b(\w+(áis|éis|steis)|vosotr[oa]s|vuestr[oa]s?|os|\w+aos|\w+(?<![dt])ad|\w+id|\w+ed)\b",
    re.IGNORECASE)
NOT_VOSOTROS = {"red", "usted", "ustedes", "pared", "sed", "madrid"}


def _vosotros(text: str) -> list[str]:
    words = re.sub(r"%\(\w+\)\w", "", text)  # placeholders are English
    return [m.group(0) for m in VOSOTROS.finditer(words)
            if m.group(0).lower() not in NOT_VOSOTROS]


def test_the_vosotros_check_sees_vosotros():
    assert _vosotros("Asistentes: abrid el enlace de vuestro correo") == ["abrid", "vuestro"]
    assert _vosotros("Escaneaos el código; ya estáis conectados, os conocisteis") == [
        "Escaneaos", "estáis", "os", "conocisteis"]
    assert _vosotros("Abre el enlace de tu correo: la red de la ciudad, de verdad") == []


def test_spanish_speaks_tu_never_vosotros(catalogues_by_domain):
    found = [f"{domain}: {word!r} in {text!r}"
             for domain, catalogue in catalogues_by_domain.items()
             for message in catalogue if message.id
             for text in _spanish(message) for word in _vosotros(text)]
    assert not found, "\n".join(found)


def test_extraction_reads_contexts_and_plurals_in_templates_and_python(tmp_path):
    template = tmp_path / "page.html"
    template.write_text('{{ pgettext("staff role", "Role") }} '
                        '{{ npgettext("rows", "%(num)d row", "%(num)d rows", n) }}')
    code = tmp_path / "forms.py"
    code.write_text('lazy_pgettext("job title", "Role")\n'
                    'lazy_npgettext("guests", "%(num)d guest", "%(num)d guests", 2)\n')
    found = {path.suffix: [(context, message) for _, message, _, context in extract_from_file(
        catalogues.METHODS[path.suffix], str(path), keywords=catalogues.KEYWORDS)]
        for path in (template, code)}
    assert found[".html"] == [("staff role", "Role"), ("rows", ("%(num)d row", "%(num)d rows"))]
    assert found[".py"] == [("job title", "Role"),
                            ("guests", ("%(num)d guest", "%(num)d guests"))]
