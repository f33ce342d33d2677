"""Sphinx extension: the site's interface in Korean, a favicon, and no page nobody links to.

With ``language = "ko"`` Sphinx translates its own strings, and sphinx-book-theme, sphinx-proof,
sphinx-exercise and sphinx-togglebutton ship Korean catalogues. What stays English is fixed
here, through each project's own translation mechanism wherever it has one:

1. Message catalogues (``_ext/korean_ui/locale/ko/LC_MESSAGES/*.po``). pydata-sphinx-theme ships
   no Korean, and Sphinx 7.4's Korean catalogue predates some of its strings ("Link to this
   heading"), so ``sphinx.po`` supplies the theme's and Sphinx's missing strings (the "Skip to
   main content" link, "Back to top", the colour-mode menu, the navigation labels, …);
   ``booktheme.po`` corrects a few of sphinx-book-theme's Korean strings, and ``proof.po`` gives
   sphinx-proof the word it lacks. When the configuration is read, each ``.po`` is compiled
   with babel (a Sphinx dependency) in memory, no ``.mo`` file is written, and the result is put
   *in front of* the catalogue of the same name, which stays behind it as the fallback.
   ``sphinx.po`` also rewords autodoc's "alias of %s" ("별칭: %s"): Sphinx's "%s의 별칭" glues a
   particle to the closing backquote of a role, which reStructuredText rejects.
2. Templates (``_ext/korean_ui/templates/``, searched before the themes'). sphinx-book-theme
   writes a few labels in English without ``_()`` ("Main", "Page", "Toggle primary sidebar",
   "Toggle secondary sidebar"); copies of those small components pass them through the
   catalogue. pydata-sphinx-theme's search button is copied without its ``aria-label``, whose
   "Search" left out the visible "Ctrl+K" (WCAG 2.5.3; axe ``label-content-name-mismatch``).
   ``layout.html`` also links the favicon.
3. myst-nb's folded cells (``hide-input`` and the like). Their prompts (``nb_code_prompt_show``
   and ``nb_code_prompt_hide``, "Show code cell source", …) go through the catalogue, so a
   prompt set in a cell's metadata is kept as written; the ``<summary>`` loses myst-nb's
   ``aria-label="Toggle hidden content"``, so its name is the prompt a reader sees.
4. sphinx-proof writes "Proof. " in front of every proof; ``{prf:proof}`` is re-registered to
   write the catalogue's word instead ("증명. ").
5. Python modules appear in the general index under the untranslated word "module" (Sphinx 7.4
   writes ``module; NAME`` index entries); the word is translated in the doctree.
6. sphinx-togglebutton's hints (``togglebutton_hint``, ``togglebutton_hint_hide``): "펼치기" and
   "접기" instead of its catalogue's "표시하려면 클릭" and "숨기려면 클릭".
7. JavaScript (``_ext/korean_ui/static/korean-ui.js``): sphinx-copybutton's messages in Korean,
   sphinx-togglebutton's buttons named by the hint they show (not "Toggle hidden content"), a
   colour-mode button whose name includes the mode its icon shows, and plainer wording for the
   search page's two result summaries. Its Hangul is in a ``.js`` file of the site, so the
   Hangul web font subset (``_ext/hangul_webfont.py``) covers it.
8. CSS (``_ext/korean_ui/static/korean-ui.css``): Bootstrap's tooltips, which show the header
   buttons' names, use the page's font (with the Hangul web font) instead of Bootstrap's system
   stack, in which a machine without a Hangul font draws the Korean names as boxes.

Besides: sphinx-proof's "Proof Index" (``prf-prf.html``), which no page links to, is not built
(``html_domain_indices`` lists every other domain index, so ``py-modindex.html`` stays), and the
site gets a favicon: ``_static/favicon.svg`` and ``_static/favicon.ico`` (16, 32 and 48 px,
drawn from the same three shapes), the ``.ico`` also copied to the site root, where browsers
and crawlers look for ``/favicon.ico``.
"""

from __future__ import annotations

import gettext
import io
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes, locale
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import _
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent / "korean_ui"
LOCALE_DIR = HERE / "locale"
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
SCRIPT = "korean-ui.js"
STYLESHEET = "korean-ui.css"
# Relative to the book's root (the configuration directory).
FAVICON_ICO = "_static/favicon.ico"
# sphinx-togglebutton's hints ("표시하려면 클릭" in its catalogue), shown beside its buttons.
TOGGLE_HINTS = {"togglebutton_hint": "펼치기", "togglebutton_hint_hide": "접기"}
# Domain indices that are built but linked from nowhere: sphinx-proof's "Proof Index".
UNLINKED_INDICES = frozenset({"prf-prf"})


def compile_catalogue(po_file: Path, language: str) -> gettext.GNUTranslations:
    """Compile ``po_file`` with babel, in memory, and return it as a gettext catalogue.

    Placeholders that do not match their msgid's (``%(copyright)s``, …) are logged as
    warnings, so that ``-W`` fails the build.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for message, errors in catalog.check():
        for error in errors:
            logger.warning("korean_ui: %s: %r: %s", po_file.name, message.id, error)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def install_catalogue(name: str, catalogue: gettext.GNUTranslations) -> None:
    """Put ``catalogue`` in front of Sphinx's message catalogue ``name``.

    The catalogue already registered under ``name`` (if any) becomes its fallback; one that
    an extension registers later (``app.add_message_catalog``) is chained behind it by Sphinx.
    """
    key = ("general", name)
    existing = locale.translators.get(key)
    if existing is not None and existing.__class__ is not gettext.NullTranslations:
        catalogue.add_fallback(existing)
    locale.translators[key] = catalogue


def _install_catalogues(app: Sphinx, config: Config) -> None:
    language = config.language or "en"
    messages = LOCALE_DIR / language / "LC_MESSAGES"
    if not messages.is_dir():
        return
    for po_file in sorted(messages.glob("*.po")):
        install_catalogue(po_file.stem, compile_catalogue(po_file, language))
    # The templates' _() uses app.translator, installed into Jinja when the builder starts.
    app.translator = locale.translators["general", "sphinx"]


def _domain_indices(app: Sphinx, config: Config) -> None:
    """List every domain index to build except :data:`UNLINKED_INDICES`."""
    wanted = config.html_domain_indices
    if wanted is False:
        return
    names = []
    for domain_name, domain in app.registry.domains.items():
        indices = list(domain.indices) + app.registry.domain_indices.get(domain_name, [])
        names += [f"{domain_name}-{index.name}" for index in indices]
    if wanted is not True:
        names = [name for name in names if name in wanted]
    config.html_domain_indices = [name for name in names if name not in UNLINKED_INDICES]


def _toggle_hints(config: Config) -> None:
    """Shorter hints for sphinx-togglebutton, unless the book sets its own."""
    if config.language != "ko":
        return
    for name, hint in TOGGLE_HINTS.items():
        if name in config.values and getattr(config, name) == config.values[name].default:
            setattr(config, name, hint)


def _config_inited(app: Sphinx, config: Config) -> None:
    _install_catalogues(app, config)
    _domain_indices(app, config)
    _toggle_hints(config)
    # Before the themes' component directories, which they add to templates_path too.
    config.templates_path.insert(0, str(TEMPLATES_DIR))
    config.html_static_path.append(str(STATIC_DIR))
    config.html_extra_path.append(FAVICON_ICO)


def visit_hide_code_cell(self: SphinxTranslator, node: nodes.Element) -> None:
    """myst-nb's ``HideCodeCellNode``, with translated prompts and no ``aria-label``."""
    classes = " ".join(node["classes"])
    show = escape(_(node["prompt_show"]))
    hide = escape(_(node["prompt_hide"]))
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{show}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{hide}</p>\n')
    self.body.append("</summary>\n")


def depart_hide_code_cell(self: SphinxTranslator, node: nodes.Element) -> None:
    self.body.append("</details>\n")


def _korean_proof_directive() -> type:
    """sphinx-proof's ``{prf:proof}``, its opening "Proof. " in the page's language."""
    from sphinx_proof.directive import ProofDirective

    translate = locale.get_translation("proof")

    class KoreanProofDirective(ProofDirective):
        def run(self) -> list[nodes.Node]:
            result: list[nodes.Node] = super().run()
            english = "Proof. "
            word = translate("Proof")
            for text in result[0].findall(nodes.Text):
                if text.astext().startswith(english):
                    rest = text.astext()[len(english) :]
                    text.parent.replace(text, nodes.Text(f"{word}. {rest}"))
                break
            return result

    return KoreanProofDirective


class TranslateModuleIndexEntries(SphinxTransform):
    """Translate the word "module" of Sphinx's ``module; NAME`` pair index entries.

    Runs before Sphinx collects the index entries (``SphinxDomains``, priority 850).
    """

    default_priority = 840

    def apply(self, **kwargs: Any) -> None:
        english = "module; "
        for node in self.document.findall(addnodes.index):
            entries = []
            for kind, value, target, main, key in node["entries"]:
                if kind == "pair" and value.startswith(english):
                    value = f"{_('module')}; {value[len(english) :]}"
                entries.append((kind, value, target, main, key))
            node["entries"] = entries


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.setup_extension("sphinx_proof")
    app.setup_extension("sphinx_togglebutton")
    from myst_nb.sphinx_ import HideCodeCellNode

    # Before sphinx-togglebutton's handler (priority 500), which writes its hints into the page.
    app.connect("config-inited", _config_inited, priority=400)
    app.add_transform(TranslateModuleIndexEntries)
    app.add_node(
        HideCodeCellNode, override=True, html=(visit_hide_code_cell, depart_hide_code_cell)
    )
    app.add_directive_to_domain("prf", "proof", _korean_proof_directive(), override=True)
    # After the scripts of the theme and of the extensions (priority 500).
    app.add_js_file(SCRIPT, priority=800)
    app.add_css_file(STYLESHEET, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
