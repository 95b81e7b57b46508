"""zh_CN is the default language, so its catalogue must translate every UI string, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def ui_strings() -> set[str]:
    found: set[str] = set()
    for folder, method in (("inspect_app", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, [(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_zh_cn_catalogue_translates_every_ui_string() -> None:
    with open(ROOT / "inspect_app/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh)
    translated = {m.id: m.string for m in catalogue if m.id and m.string and "fuzzy" not in m.flags}
    strings = ui_strings()
    assert len(strings) > 50
    assert sorted(strings - translated.keys()) == []
    for msgid in strings:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(translated[msgid])), msgid
