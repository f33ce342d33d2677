"""Sphinx extension: ship the book's Hangul web font, subset from NanumGothic, regular and bold.

A reader's machine may have no Hangul font at all (a bare Linux box, a headless browser), so the
site brings its own. The bundled ``adamlib/fonts/NanumGothic.ttf`` is 4.7 MB; after every HTML
build this extension writes a subset of it to ``_static/fonts/AdamGothic.woff2`` (about 0.15 MB),
and the same subset of ``_ext/fonts/NanumGothicBold.ttf`` to ``AdamGothic-Bold.woff2``, so that
headings and bold text are drawn in a real bold face. Without it the browser thickens the
regular glyphs itself, which looks smeared and, in the PDF edition, scrambles the text a PDF
reader extracts ("1장. 1차" comes out as "장 차 … 1 .1"). The subsets cover

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
#: Each face of the web font: style name, web font file, source font (relative to the book).
#: NanumGothicBold.ttf is Debian's fonts-nanum 20200506-1, unmodified (same licence); the book
#: needs it only here, so it is not in the adamlib wheel.
FACES: tuple[tuple[str, str, Path], ...] = (
    ("Regular", FONT_FILE, SOURCE_FONT),
    ("Bold", "AdamGothic-Bold.woff2", Path("_ext") / "fonts" / "NanumGothicBold.ttf"),
)

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
{" and ".join(f for _, f, _ in FACES)} (font family "{FAMILY}") are Modified Versions of
NanumGothic 3.021 and NanumGothic Bold 3.021 under the SIL Open Font License 1.1: subsets of
their Hangul glyphs (the KS X 1001 syllables and every Hangul character used by this site),
without hinting, converted to WOFF2 and renamed, because the licence reserves the name
"NanumGothic" for the original. They were generated from
{" and ".join(p.as_posix() for _, _, p in FACES)} by _ext/hangul_webfont.py when this site was
built. The copyright notice and the licence of the originals follow and apply to them unchanged.

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


def _rename(font: Any, style: str = "Regular") -> None:
    """Give the subset a name without any Reserved Font Name (OFL 1.1, condition 3)."""
    name = font["name"]
    original = "NanumGothic" if style == "Regular" else f"NanumGothic {style}"
    derived = (
        f"{FAMILY}: a subset of {original} 3.021 (NAVER/NHN, SIL Open Font License 1.1), "
        "renamed as the licence requires for a Modified Version."
    )
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    new = {
        1: FAMILY,
        2: style,
        3: f"{FAMILY}-{style};subset;3.021",
        4: full,
        6: f"{FAMILY}-{style}",
        10: derived,
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        14: "https://openfontlicense.org",
        16: FAMILY,
        17: style,
    }
    name.names = [
        record
        for record in name.names
        if record.nameID not in new and record.nameID not in {18, 20, 21, 22}
    ]
    for name_id, text in new.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        name.setName(text, name_id, 1, 0, 0)  # Macintosh, Roman, English


def subset_font(source: Path, characters: set[str], style: str = "Regular") -> bytes:
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
    _rename(font, style)
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
    fonts = outdir / "_static" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for style, file, source in FACES:
        data = subset_font(srcdir / source, characters, style)
        (fonts / file).write_bytes(data)
        logger.info(
            "hangul_webfont: %s, %d characters, %.0f kB", file, len(characters), len(data) / 1000
        )
    licence = (srcdir / SOURCE_LICENCE).read_text(encoding="utf-8")
    (fonts / "OFL.txt").write_text(LICENCE_HEADER + licence, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _write_font)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
