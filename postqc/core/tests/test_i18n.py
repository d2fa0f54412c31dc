"""The English catalogue: complete, compiled, and actually used when English is chosen.

The msgids are the Chinese source strings (zh-hans is the default language); English is the
second language, switched with /i18n/setlang/. Both django.po and django.mo are committed, so
``make demo`` needs no gettext tools.
"""
import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


@dataclass
class Entry:
    """One message of a .po file, as much of it as these tests need."""

    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular message

    @property
    def key(self) -> str:
        """The key under which GNU gettext stores the message in a compiled catalogue."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file as makemessages writes it: entries separated by blank lines; flags, msgctxt,
    msgid, msgid_plural, msgstr / msgstr[n], each possibly continued on following "..." lines."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if line.startswith("#") and not line.startswith("#,"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            rest = line
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, 0)
            setattr(entry, keyword, "")
        elif keyword == "msgstr" or (keyword.startswith("msgstr[") and keyword.endswith("]")):
            target = ("msgstr", int(keyword[len("msgstr["):-1]) if "[" in keyword else 0)
            entry.msgstr[target[1]] = ""
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
        text = ast.literal_eval(rest)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += text
        else:
            setattr(entry, name, getattr(entry, name) + text)
    return entries


@pytest.fixture(scope="module")
def messages() -> list[Entry]:
    entries = parse_po(CATALOGUE / "django.po")
    return [e for e in entries if e.msgid]  # the first entry (empty msgid) is the header


def where(entry: Entry) -> str:
    return f"django.po:{entry.line}: {entry.msgid!r}"


def test_the_po_parser_reads_contexts_plurals_and_continued_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
                  '#: a.py:1\n#, python-format\nmsgctxt "导航"\nmsgid "单位"\nmsgstr "Units"\n\n'
                  'msgid ""\n"共 %(n)s "\n"个"\nmsgid_plural "共 %(n)s 个"\nmsgstr[0] "%(n)s unit"\n'
                  'msgstr[1] ""\n"%(n)s units"\n\n#, fuzzy\nmsgid "旧"\nmsgstr "Old"\n', encoding="utf-8")
    header, units, count, old = parse_po(po)
    assert header.msgid == "" and header.msgstr == {0: "Language: en\n"}
    assert (units.msgctxt, units.msgid, units.msgstr, units.flags) == ("导航", "单位", {0: "Units"}, {"python-format"})
    assert units.key == "导航\x04单位"
    assert (count.msgid, count.msgid_plural) == ("共 %(n)s 个", "共 %(n)s 个")
    assert count.msgstr == {0: "%(n)s unit", 1: "%(n)s units"}
    assert old.flags == {"fuzzy"} and old.msgctxt is None


def test_the_english_catalogue_has_no_untranslated_entry(messages):
    assert len(messages) > 1000
    untranslated = [where(e) for e in messages
                    if not e.msgstr or any(not text for text in e.msgstr.values())
                    or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])]
    assert untranslated == []


def test_the_english_catalogue_has_no_fuzzy_entry(messages):
    assert [where(e) for e in messages if "fuzzy" in e.flags] == []


def test_the_compiled_catalogue_matches_the_po_file(messages):
    """django.mo is committed too: it must be recompiled whenever django.po changes."""
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            found = compiled._catalog.get(e.key)
            if found != e.msgstr.get(0):
                stale.append(where(e))
        elif [compiled._catalog.get((e.key, i)) for i in (0, 1)] != [e.msgstr.get(0), e.msgstr.get(1)]:
            stale.append(where(e))
    assert stale == [], "run: postqc compilemessages -l en"


def test_the_login_page_is_english_once_english_is_chosen(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Employee number" in html and "Sign in" in html
    assert "工号" not in html


def test_the_staff_tab_bar_is_english_once_english_is_chosen(as_, org):
    client = as_(org.bob)
    client.post("/i18n/setlang/", {"language": "en", "next": "/m/"})
    html = client.get("/m/").content.decode()
    for label in ("Home", "Learning", "Me"):
        assert f">{label}<" in html
    assert "首页" not in html


def test_the_management_sidenav_is_english_once_english_is_chosen(as_, org):
    client = as_(org.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/manage/"})
    html = client.get("/manage/").content.decode()
    assert "Universal-service outlets" in html and "Standards library" in html
    assert "普服网点" not in html
