"""Where each domain's translatable strings live, and `make messages`, which extracts them.

Every domain keeps its own catalogue in checkin/<domain>/translations. At run time Flask-Babel
merges them all into one gettext domain, so one (context, msgid) must mean one thing
everywhere: a word that means two things gets a pgettext context (tests/test_catalogues.py).

A rebase that conflicts in a catalogue: `python -m checkin.catalogues --resolve DOMAIN` keeps
both sides' translations and re-extracts; then `git add` the catalogue and continue.
"""

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checkin"
TEMPLATES = ROOT / "templates"
LANGUAGE = "es"  # English is the source language; Spanish is the one catalogue we keep
WIDTH = 100  # the line width the catalogues are written at, so regenerating one is a small diff

# Every name the code calls to mark a string; gettext, ngettext, pgettext and npgettext are
# Babel's defaults (in Python and, through Jinja's extractor, in templates).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "lazy_npgettext": ((1, "c"), 2, 3),
    "plural_forms": (1, 2),  # checkin.i18n: a count's forms, for a script to choose from
}
METHODS = {".py": "python", ".html": "jinja2", ".txt": "jinja2"}


def domains() -> list[str]:
    """Each package under checkin/ is a domain with its own catalogue."""
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def sources(domain: str) -> list[Path]:
    """The domain's code and templates; `site` also owns the app's top-level files."""
    roots = [PACKAGE / domain, TEMPLATES / domain]
    files = [f for root in roots for f in sorted(root.rglob("*")) if f.suffix in METHODS]
    if domain == "site":
        files += sorted(f for top in (PACKAGE, TEMPLATES) for f in top.glob("*")
                        if f.is_file() and f.suffix in METHODS)
    return [f for f in files if "translations" not in f.parts]


def _messages(files: list[Path]) -> Iterator[tuple]:
    for path in files:
        method = METHODS[path.suffix]
        for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, comment_tags=("Translators:",),
                strip_comment_tags=True):
            yield path.relative_to(ROOT).as_posix(), lineno, message, comments, context


def extract(domain: str) -> Catalog:
    """The strings the domain's code and templates mark for translation today."""
    catalog = Catalog(charset="utf-8")
    for filename, lineno, message, comments, context in _messages(sources(domain)):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def translations_dir(domain: str) -> Path:
    return PACKAGE / domain / "translations"


def po_path(domain: str) -> Path:
    return translations_dir(domain) / LANGUAGE / "LC_MESSAGES" / "messages.po"


def read_catalogue(domain: str) -> Catalog:
    with po_path(domain).open("rb") as f:
        return read_po(f, locale=LANGUAGE)


def update(domain: str) -> None:
    """Write the domain's template (.pot) and merge it into its Spanish catalogue."""
    directory = translations_dir(domain)
    directory.mkdir(exist_ok=True)
    template = directory / "messages.pot"
    with template.open("wb") as f:
        write_po(f, extract(domain), width=WIDTH, omit_header=True)
    verb = "update" if po_path(domain).exists() else "init"
    options = ["-N", "--ignore-pot-creation-date"] if verb == "update" else []
    CommandLineInterface().run(["pybabel", "-q", verb, "-i", str(template), "-d", str(directory),
                                "-l", LANGUAGE, "-w", str(WIDTH), *options])


def _stage(path: Path, stage: int) -> Catalog:
    """One side of a git merge conflict on ``path``: 1 the common base, 2 ours, 3 theirs."""
    shown = subprocess.run(["git", "show", f":{stage}:{path.relative_to(ROOT).as_posix()}"],
                           cwd=ROOT, capture_output=True, check=False)
    if shown.returncode and stage != 1:  # a side with no base is two new files: fine
        raise SystemExit(f"{path} is not in conflict")
    return read_po(io.BytesIO(shown.stdout if shown.returncode == 0 else b""), locale=LANGUAGE)


def _entries(catalog: Catalog) -> dict:
    return {(m.context, m.id): m for m in (*catalog, *catalog.obsolete.values()) if m.id}


def resolve_conflict(domain: str) -> None:
    """Settle a git conflict in the domain's catalogue keeping both sides' translations: a
    string changed on one side takes that side's Spanish. Run `make messages` afterwards."""
    path = po_path(domain)
    base, theirs = _entries(_stage(path, 1)), _entries(_stage(path, 3))
    merged = _stage(path, 2)
    ours = _entries(merged)
    for key, message in theirs.items():
        current = ours.get(key)
        if current is None:
            merged[message.id] = message
        elif any(_spanish(message)) and (key not in base or message.string != base[key].string):
            current.string = message.string
    with path.open("wb") as f:
        write_po(f, merged, width=WIDTH)


def _spanish(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--resolve"]:  # a conflicted rebase or merge: --resolve DOMAIN...
        for domain in argv[1:]:
            resolve_conflict(domain)
        argv = argv[1:]
    for domain in argv or domains():
        update(domain)


if __name__ == "__main__":
    main(sys.argv[1:])
