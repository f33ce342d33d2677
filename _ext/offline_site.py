"""Sphinx extension: a self-contained static site, with no request to a CDN and no dead control.

What a reader gets must work from ``file://`` or any static host with no network. Several things
in Jupyter Book 1.x's defaults stand in the way; this extension deals with them, and
``tests/browser/`` checks the result (every page, every request).

1. MathJax. ``mathjax_path`` (``_config.yml``) points at the copy vendored in
   ``_static/mathjax/`` instead of the CDN. Jupyter Book adds *every* ``.js`` file under
   ``_static/`` to *every* page (``jupyter_book/config.py`` globs recursively), which would load
   MathJax twice (and every other file of the vendored copy); the vendored files are taken out
   of that list here, so ``sphinx.ext.mathjax`` alone loads MathJax, once per page.
2. sphinx-thebe. Jupyter Book always loads it. With the Thebe launch button off it adds nothing
   a reader can use, but every page gets its CSS and JavaScript, a script that names thebe's CDN
   URL, and a ``text/x-thebe-config`` block naming a Binder example repository that is not this
   book's. Unless ``launch_buttons.thebe`` is on, its event handlers and its CSS are removed.
3. MathJax on every page. Chapter titles contain formulas ("1차 모멘트 $m_t$"), and every page
   shows them in its navigation, as do the search results; Sphinx would load MathJax only on
   pages whose own body has math, leaving raw TeX in the sidebar of the others. The HTML
   assets policy is set to "always" (``_static/search-page.js`` typesets the search results,
   which arrive after the page).
4. Weight. The themes copy their JavaScript/CSS source maps (3.4 MB, fetched only by a
   browser's developer tools) and their gettext catalogues for 40 languages (0.7 MB, used only
   while building) into ``_static/``; they are deleted from the output after the build.
5. Widgets. ``nb_ipywidgets_js`` is emptied in ``_config.yml`` (myst-nb would load require.js
   and the widget manager from CDNs for a notebook with saved widget state); widget cells are
   tagged ``remove-cell`` in the chapters, and ``tools/execute_notebooks.py`` stores no state.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDORED_PREFIXES = ("mathjax/",)
_SOURCE_MAP_COMMENT = re.compile(
    r"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=[^*]+\*/)\s*$"
)


def _asset_name(entry: Any) -> str:
    return entry[0] if isinstance(entry, list | tuple) else str(entry)


def _unlist_vendored(config: Config) -> None:
    """Drop vendored files that Jupyter Book's recursive glob of ``_static/`` put on every page."""
    for option in ("html_js_files", "html_css_files"):
        entries = list(getattr(config, option) or [])
        kept = [e for e in entries if not _asset_name(e).startswith(VENDORED_PREFIXES)]
        setattr(config, option, kept)


def _thebe_enabled(config: Config) -> bool:
    launch = (config.html_theme_options or {}).get("launch_buttons") or {}
    return bool(launch.get("thebe"))


def _remove_thebe(app: Sphinx) -> None:
    """Disconnect sphinx-thebe's event handlers and drop its stylesheet."""
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)
    app.registry.css_files = [
        (name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"
    ]


def _config_inited(app: Sphinx, config: Config) -> None:
    _unlist_vendored(config)
    if not _thebe_enabled(config) and "sphinx_thebe" in app.extensions:
        _remove_thebe(app)


def _prune_output(app: Sphinx, exception: Exception | None) -> None:
    """Delete what no reader's browser loads: source maps and build-time translation catalogues."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for source_map in static.rglob("*.map"):
        source_map.unlink()
        # Drop the comment that points at it, so no tool asks for the missing file.
        code = source_map.with_suffix("")
        if code.is_file():
            text = code.read_text(encoding="utf-8")
            code.write_text(_SOURCE_MAP_COMMENT.sub("", text), encoding="utf-8")
    shutil.rmtree(static / "locales", ignore_errors=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.set_html_assets_policy("always")
    # Run after Jupyter Book has filled html_js_files (it does so before Sphinx starts).
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("build-finished", _prune_output)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
