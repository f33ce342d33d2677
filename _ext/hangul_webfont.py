"""Sphinx extension: ship the book's Hangul web font, subset from the bundled NanumGothic.

A reader's machine may have no Hangul font at all (a bare Linux box, a headless browser), so the
site brings its own. The bundled ``adamlib/fonts/NanumGothic.ttf`` is 4.7 MB; after every HTML
build this extension writes a subset of it to ``_static/fonts/AdamGothic.woff2`` (about 0.15 MB):

* the 2,350 Hangul syllables of KS X 1001 (what a reader is likely to type into the search box),
* plus every Hangul character that occurs in the built pages and scripts (so no page falls back
  to another font, whatever a chapter writes),
* no hinting, no other scripts: ``_static/hangul-webfont.css`` declares the face with a Hangul
  ``unicode-range``, so Latin text, digits and symbols keep the theme's system fonts.

Licence. NanumGothic is under the SIL Open Font License 1.1 with the Reserved Font Names
"Nanum", "NanumGothic", "Naver NanumGothic", … A subset converted to WOFF2 is a *Modified Version*
in the sense of the OFL, which must not carry a Reserved Font Name. The subset is therefore
renamed "AdamGothic" (family, full and PostScript names, in every language), keeps the original
copyright notice, states what it is derived from, and is shipped with the licence as
``_static/fonts/OFL.txt``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FAMILY = "AdamGothic"
FONT_FILE = "AdamGothic.woff2"
SOURCE_FONT = Path("adamlib") / "fonts" / "NanumGothic.ttf"
SOURCE_LICENCE = Path("adamlib") / "fonts" / "OFL.txt"

# Hangul Jamo, Compatibility Jamo, Jamo Extended-A, Syllables, Jamo Extended-B.
HANGUL_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),
    (0x3130, 0x318F),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7FF),
)
_HANGUL = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in HANGUL_RANGES) + "]")

LICENCE_HEADER = f"""\
{FONT_FILE} (font family "{FAMILY}") is a Modified Version of NanumGothic 3.021 under the
SIL Open Font License 1.1: a subset of its Hangul glyphs (the KS X 1001 syllables and every
Hangul character used by this site), without hinting, converted to WOFF2 and renamed, because
the licence reserves the name "NanumGothic" for the original. It was generated from
{SOURCE_FONT.as_posix()} by _ext/hangul_webfont.py when this site was built. The copyright
notice and the licence of the original follow and apply to {FONT_FILE} unchanged.

----------------------------------------------------------------------------------------------

"""


def ks_x_1001_syllables() -> list[str]:
    """The 2,350 precomposed Hangul syllables of KS X 1001 (EUC-KR rows 0xB0–0xC8)."""
    out = []
    for high in range(0xB0, 0xC9):
        for low in range(0xA1, 0xFF):
            try:
                out.append(bytes([high, low]).decode("euc-kr"))
            except UnicodeDecodeError:
                continue
    return out


def hangul_in_site(outdir: Path) -> set[str]:
    """Every Hangul character in the built HTML and JavaScript (vendored MathJax excluded)."""
    chars: set[str] = set()
    for path in sorted(outdir.rglob("*")):
        if path.suffix not in {".html", ".js"} or "mathjax" in path.parts:
            continue
        chars.update(_HANGUL.findall(path.read_text(encoding="utf-8", errors="replace")))
    return chars


def _rename(font: Any) -> None:
    """Give the subset a name without any Reserved Font Name (OFL 1.1, condition 3)."""
    name = font["name"]
    derived = (
        f"{FAMILY}: a subset of NanumGothic 3.021 (NAVER/NHN, SIL Open Font License 1.1), "
        "renamed as the licence requires for a Modified Version."
    )
    new = {
        1: FAMILY,
        2: "Regular",
        3: f"{FAMILY}-Regular;subset;3.021",
        4: FAMILY,
        6: f"{FAMILY}-Regular",
        10: derived,
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        14: "https://openfontlicense.org",
        16: FAMILY,
        17: "Regular",
    }
    name.names = [
        record
        for record in name.names
        if record.nameID not in new and record.nameID not in {18, 20, 21, 22}
    ]
    for name_id, text in new.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        name.setName(text, name_id, 1, 0, 0)  # Macintosh, Roman, English


def subset_font(source: Path, characters: set[str]) -> bytes:
    """Return ``source`` subset to ``characters``, renamed, as WOFF2 bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    # fontTools logs (at WARNING) that it drops the VTT source tables TSI0…TSI5: expected.
    subset.log.setLevel("ERROR")
    subsetter.subset(font)
    _rename(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _write_font(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    srcdir = Path(app.srcdir)
    outdir = Path(app.outdir)
    characters = set(ks_x_1001_syllables()) | hangul_in_site(outdir)
    data = subset_font(srcdir / SOURCE_FONT, characters)
    fonts = outdir / "_static" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    (fonts / FONT_FILE).write_bytes(data)
    licence = (srcdir / SOURCE_LICENCE).read_text(encoding="utf-8")
    (fonts / "OFL.txt").write_text(LICENCE_HEADER + licence, encoding="utf-8")
    logger.info(
        "hangul_webfont: %s, %d characters, %.0f kB",
        FONT_FILE,
        len(characters),
        len(data) / 1000,
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _write_font)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
