"""Sphinx extension: the API reference of ``adamlib``, generated from its docstrings.

``chapters/api.md`` holds one directive, ``.. adamlib-api::`` (inside ``{eval-rst}``). It expands
to:

* a table of every name in ``adamlib.__all__``, each linked to where it is documented;
* one section per public module of the package and its subpackages (every ``adamlib.<name>``
  and ``adamlib.<subpackage>.<name>`` with no part starting with ``_``, found with
  :func:`pkgutil.walk_packages`, so a module added anywhere in ``adamlib`` appears here on the
  next build), rendered by ``automodule`` with ``:members:``.

The docstrings are numpy style (``sphinx.ext.napoleon``); their ``:math:`` and ``.. math::`` are
typeset by the same vendored MathJax as the chapters. The build runs with ``-n``, so a name in
``__all__`` that is not documented, or a type that does not resolve, fails it; the types that
cannot resolve offline (numpy's and matplotlib's, with intersphinx off) are ignored by the narrow
``nitpick_ignore_regex`` in ``_config.yml``.

Which members: a module's ``__all__`` if it has one; otherwise every public function and class
*defined* in it (not imported into it) and every module-level name documented with a ``#:``
comment. Public functions, classes and methods without a docstring are listed all the same
(``:undoc-members:``), so nothing public is missing; module-level data without a ``#:`` comment
(a type alias, a path) is left out, because autodoc would print its value, which for a path is
the build machine's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import locale
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

PACKAGE = "adamlib"


def public_modules(package: str = PACKAGE) -> list[str]:
    """Every public module of ``package`` and of its subpackages, sorted (``adamlib.adam``, …,
    ``adamlib.experiments.cost``, ``adamlib.ml.data``); a name with a part starting with ``_``
    is private and left out."""
    pkg = importlib.import_module(package)
    return sorted(
        info.name
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}.")
        if not any(part.startswith("_") for part in info.name.split("."))
    )


def public_members(modname: str) -> list[str]:
    """The names :class:`AdamlibApi` documents for module ``modname`` (see the module docstring)."""
    module = importlib.import_module(modname)
    if hasattr(module, "__all__"):
        return list(module.__all__)
    attr_docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
    documented_data = {attr for (owner, attr) in attr_docs if owner == ""}
    members = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if getattr(obj, "__module__", None) == modname:
                members.append(name)
        elif name in documented_data:
            members.append(name)
    return members


def private_bases(package: str = PACKAGE) -> list[str]:
    """Classes of private modules (``adamlib._base.Optimizer``) that public classes inherit.

    Their names appear in public signatures and base-class lists, so they are documented too.
    """
    found: set[str] = set()
    for modname in public_modules(package):
        for name in public_members(modname):
            obj = getattr(importlib.import_module(modname), name, None)
            if not inspect.isclass(obj):
                continue
            for base in obj.__mro__[1:]:
                module = base.__module__
                if module.startswith(package + "._"):
                    found.add(f"{module}.{base.__qualname__}")
    return sorted(found)


def canonical_name(package: str, name: str) -> str:
    """Where ``package.name`` is defined: ``adamlib.Adam`` → ``adamlib.adam.Adam``."""
    obj = getattr(importlib.import_module(package), name)
    module = getattr(obj, "__module__", None) or package
    return f"{module}.{getattr(obj, '__qualname__', name)}"


def _locate(dotted: str) -> str | None:
    """Where the object named ``dotted`` (an adamlib path) is defined, or None.

    ``adamlib.Adam`` → ``adamlib.adam.Adam`` (a re-export of the package);
    ``adamlib.adam.Adam.step`` → ``adamlib._base.Optimizer.step`` (an inherited method).
    """
    parts = dotted.split(".")
    if parts[0] != PACKAGE:
        return None
    try:
        obj: Any = importlib.import_module(PACKAGE)
        for part in parts[1:]:
            obj = getattr(obj, part)
    except (AttributeError, ImportError):
        return None
    if isinstance(obj, property):
        obj = obj.fget
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not (module and qualname) or not module.startswith(PACKAGE):
        return None
    return f"{module}.{qualname}"


def _resolve_adamlib(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a Python reference that names an adamlib object by another path than its own.

    ``:class:`adamlib.Adam``` (``adamlib.__all__``), ``:meth:`step``` inside ``Adam`` (inherited
    from ``Optimizer``), ``:meth:`Adam.step_inplace``` in the package's own docstring.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    module, cls = node.get("py:module"), node.get("py:class")
    candidates = [target]
    if module and cls:
        candidates.append(f"{module}.{cls}.{target}")
    if module:
        candidates.append(f"{module}.{target}")
    domain = env.get_domain("py")
    for candidate in candidates:
        where = _locate(candidate)
        if where is None or where == target:
            continue
        new = node.deepcopy()
        new["reftarget"] = where
        found = domain.resolve_xref(
            env, node.get("refdoc"), app.builder, node["reftype"], where, new, contnode
        )
        if found is not None:
            return found
    return None


def _skip_undocumented_attributes(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    """Leave out class attributes without a docstring (dataclass fields).

    numpy docstrings describe them in their ``Attributes`` section already (rendered as a field
    list, ``napoleon_use_ivar``); listed again by ``:undoc-members:`` they would be empty entries.
    """
    if what == "class" and not (
        inspect.isroutine(obj) or inspect.isclass(obj) or isinstance(obj, property)
    ):
        doc = getattr(obj, "__doc__", None)
        if not doc or doc == getattr(type(obj), "__doc__", None):
            return True
    return None


def _fix_alias_translation(app: Sphinx) -> None:
    """Make autodoc's translated "alias of :py:class:`X`" valid reStructuredText.

    Sphinx's Korean catalogue renders it as ``%s의 별칭``: the particle follows the role's closing
    backquote directly, which reStructuredText does not accept (every ``state_type = AdamState``
    class attribute then becomes a build warning). An escaped space (``\\ ``) separates them
    and renders as nothing.
    """
    for translator in list(locale.translators.values()):
        catalog = getattr(translator, "_catalog", None)
        message = catalog.get("alias of %s") if isinstance(catalog, dict) else None
        if message and re.search(r"%s[^\s\\.,;:!?)]", message):
            catalog["alias of %s"] = message.replace("%s", "%s\\ ")


class AdamlibApi(SphinxDirective):
    """Expand to the whole API reference of :data:`PACKAGE`."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        package = importlib.import_module(PACKAGE)
        exported = list(getattr(package, "__all__", []))
        lines = [
            f"``{PACKAGE}`` 패키지",
            "-" * 40,
            "",
            f".. automodule:: {PACKAGE}",
            "   :no-members:",
            "",
            f"``import {PACKAGE}``\\ 으로 바로 쓸 수 있는 이름(``{PACKAGE}.__all__``)과, "
            "각 이름이 정의되고 설명된 곳:",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - 이름",
            "     - 정의된 곳",
        ]
        for name in sorted(exported, key=str.lower):
            lines += [
                f"   * - ``{PACKAGE}.{name}``",
                f"     - :py:obj:`{canonical_name(PACKAGE, name)}`",
            ]
        lines.append("")
        exported_private = {
            canonical_name(PACKAGE, name)
            for name in exported
            if canonical_name(PACKAGE, name).startswith(f"{PACKAGE}._")
        }
        bases = sorted(set(private_bases()) | exported_private)
        if bases:
            lines += [
                "공통 바탕 클래스와 오류",
                "-" * 40,
                "",
                "공개 클래스들이 물려받는 클래스와, 인자 검사가 던지는 오류입니다. 이름이 "
                "``_``\\ 로 시작하는 모듈에 있지만, 바탕 클래스의 메서드는 이 클래스를 물려받은 "
                "모든 클래스에서 그대로 쓸 수 있습니다. ``init_leaf``\\ 와 ``step_leaf``\\ 는 새 "
                "옵티마이저를 만들 때 채우는 자리입니다.",
                "",
            ]
            for base in bases:
                lines += [
                    f".. autoclass:: {base}",
                    "   :members:",
                    "   :private-members:",
                    "",
                ]
        for module in public_modules():
            members = public_members(module)
            title = f"``{module}``"
            lines += [title, "-" * max(40, len(title)), "", f".. automodule:: {module}"]
            if members:
                lines += [
                    f"   :members: {', '.join(members)}",
                    "   :undoc-members:",
                    "   :member-order: bysource",
                ]
            else:
                lines.append("   :no-members:")
            lines.append("")
        container = nodes.section()
        container.document = self.state.document
        source = self.get_source_info()[0] or "<adamlib-api>"
        content = StringList(lines, source=source)
        nested_parse_with_titles(self.state, content, container)
        for module in [PACKAGE, *public_modules()]:
            self.env.note_dependency(inspect.getfile(importlib.import_module(module)))
        return container.children


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    app.add_directive("adamlib-api", AdamlibApi)
    app.connect("builder-inited", _fix_alias_translation)
    app.connect("missing-reference", _resolve_adamlib)
    app.connect("autodoc-skip-member", _skip_undocumented_attributes)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
