"""Sphinx extension: what a reader needs to run the chapters at home, offered by the site itself.

A reader of the website has no repository. This extension builds, with every book build,

- the ``adamlib`` wheel (the package, its font and data files), and
- a zip of the chapter notebooks with ``requirements-lab.txt`` (the pinned packages they need,
  JupyterLab and jupyterlab-myst included) and a ``README.txt`` giving the commands,

and puts both in ``downloads/`` of the built site. Every notebook page gets a folded box, "이 장을
내 컴퓨터에서 실행하기", with the two links and the commands; the ``{take-home}`` directive shows
the same box unfolded (the intro page). Links are relative, so they work from ``file://``, on any
static host and on a fork's GitHub Pages alike.

The commands are :data:`HOME_COMMANDS`, written once: the box, the zip's README and
``tests/home/test_fresh_install.py`` (which runs them in a fresh virtual environment outside the
repository and executes every chapter) all read them.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent

#: Folder of the built site that holds the two downloads.
DOWNLOADS = "downloads"
#: The zip of the chapter notebooks.
ZIP_NAME = "adam-momentum-notebooks.zip"
#: Pinned packages a reader installs beside the wheel (also what ``make lab`` installs).
LAB_REQUIREMENTS = "requirements-lab.txt"
#: The kernel ``make venv`` installs, which the committed notebooks name: a reader's kernel gets
#: the same name, so JupyterLab does not mark a notebook modified as soon as it opens.
KERNEL_NAME = "python3"
KERNEL_DISPLAY_NAME = "Python 3 (.venv)"
#: Zip entries get this timestamp (the earliest a zip can hold): the same sources give the same
#: bytes. The wheel gets it through SOURCE_DATE_EPOCH.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01T00:00:00Z


def home_commands(wheel: str) -> list[tuple[str, str]]:
    """The commands a reader runs in the folder holding the two downloads, with a Korean comment.

    Parameters
    ----------
    wheel : str
        File name of the adamlib wheel.

    Returns
    -------
    list of (command, comment)
        In order; POSIX shell syntax (the box says what differs on Windows).
    """
    return [
        (f"unzip {ZIP_NAME}", ""),
        ("python3 -m venv .venv", ""),
        ("source .venv/bin/activate", "가상 환경 켜기 (Windows: .venv\\Scripts\\activate)"),
        (f"pip install {wheel} -r {LAB_REQUIREMENTS}", ""),
        (
            f"python -m ipykernel install --sys-prefix --name {KERNEL_NAME} "
            f'--display-name "{KERNEL_DISPLAY_NAME}"',
            "노트북에 저장된 커널 이름으로 등록 (열자마자 '수정됨'이 되지 않도록)",
        ),
        ("jupyter trust *.ipynb", "저장된 애니메이션이 열자마자 움직이도록 신뢰"),
        ("jupyter lab", ""),
    ]


def command_text(wheel: str) -> str:
    """:func:`home_commands` as a shell snippet, each comment on the line above its command."""
    lines: list[str] = []
    for command, comment in home_commands(wheel):
        if comment:
            lines.append(f"# {comment}")
        lines.append(command)
    return "\n".join(lines)


def wheel_name(folder: Path) -> str:
    """The one adamlib wheel in ``folder``."""
    (wheel,) = sorted(folder.glob("adamlib-*.whl"))
    return wheel.name


# -- building the two files ---------------------------------------------------------------------


def build_wheel(source: Path, out: Path) -> Path:
    """Build the adamlib wheel of the checkout ``source`` into ``out``; return its path.

    It is built from a copy (setuptools writes ``build/`` and ``*.egg-info`` beside its sources)
    with the setuptools of the running environment (``requirements.txt`` pins it), so the build
    needs no network, and with a fixed SOURCE_DATE_EPOCH, so the same sources give the same file.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="adamlib-wheel-") as tmp:
        src = Path(tmp)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(source / name, src / name)
        shutil.copytree(
            source / "adamlib",
            src / "adamlib",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"),
        )
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        done = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
                *("--disable-pip-version-check", "-q", "-w", str(out), str(src)),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"building the adamlib wheel failed:\n{done.stdout}{done.stderr}")
    return out / wheel_name(out)


def readme_text(wheel: str) -> str:
    """The zip's README.txt: what the folder is and the commands, in Korean."""
    return (
        "Adam, 모멘텀: 장별 노트북\n"
        "\n"
        f"이 폴더에 {wheel}(책의 웹사이트에서 함께 내려받는 파일)을 두고,\n"
        "그 폴더에서 다음을 실행합니다(첫 줄의 압축 풀기는 이미 했습니다).\n"
        "Python 3.11 이상이 필요합니다.\n"
        "\n" + command_text(wheel) + "\n\n"
        "Windows에서는 unzip 대신 탐색기로 압축을 풀고, 가상 환경은\n"
        ".venv\\Scripts\\activate로 켭니다. 그다음 줄부터는 같습니다.\n"
    )


def build_zip(source: Path, out: Path, wheel: str) -> Path:
    """Zip the chapter notebooks of ``source`` with the pinned requirements and a README.

    Entries are flat (``unzip`` puts them beside the wheel), sorted, and dated :data:`ZIP_DATE`.
    """
    out.mkdir(parents=True, exist_ok=True)
    entries = {p.name: p.read_bytes() for p in sorted((source / "chapters").glob("*.ipynb"))}
    entries[LAB_REQUIREMENTS] = (source / LAB_REQUIREMENTS).read_bytes()
    entries["README.txt"] = readme_text(wheel).encode("utf-8")
    path = out / ZIP_NAME
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, entries[name])
    return path


# -- the box ------------------------------------------------------------------------------------


class take_home_box(nodes.General, nodes.Element):
    """Placeholder, replaced by the box once the page's URL is known (``doctree-resolved``)."""


class TakeHome(SphinxDirective):
    """``{take-home}``: the box, unfolded (``:folded:`` folds it)."""

    has_content = False
    option_spec = {"folded": directives.flag}  # noqa: RUF012 (docutils API)

    def run(self) -> list[nodes.Node]:
        return [take_home_box(folded="folded" in self.options)]


def _add_to_notebook_pages(app: Sphinx, doctree: nodes.document) -> None:
    """Put the folded box under the title of every page made from a notebook."""
    docname = app.env.docname
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    if any(True for _ in doctree.findall(take_home_box)):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    section.insert(1, take_home_box(folded=True))


def _paragraph(text: str) -> nodes.paragraph:
    """A paragraph in which `backticked` parts are inline code."""
    para = nodes.paragraph()
    for i, part in enumerate(text.split("`")):
        if part:
            para += nodes.literal(part, part) if i % 2 else nodes.Text(part)
    return para


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def _render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    built: dict[str, Path] | None = getattr(app, "take_home_files", None)
    for box in list(doctree.findall(take_home_box)):
        if built is None:  # not an HTML build: no downloads, no box
            box.parent.remove(box)
            continue
        here = posixpath.dirname(app.builder.get_target_uri(docname))

        def link(name: str, here: str = here) -> nodes.reference:
            uri = posixpath.relpath(f"{DOWNLOADS}/{name}", here or ".")
            ref = nodes.reference("", "", refuri=uri, classes=["take-home-download"])
            ref += nodes.literal(name, name)
            return ref

        wheel, bundle = built["wheel"], built["zip"]
        admonition = nodes.admonition(classes=["tip", "take-home"])
        if box["folded"]:
            admonition["classes"].append("dropdown")
        title = "이 장을 내 컴퓨터에서 실행하기" if box["folded"] else "내 컴퓨터에서 실행하기"
        admonition += nodes.title(title, title)
        admonition += nodes.paragraph(
            "",
            "이 책의 노트북은 내 컴퓨터의 JupyterLab에서 그대로 실행되고, 그때는 슬라이더로 "
            "조절하는 탐색기도 움직입니다. Python 3.11 이상과 다음 두 파일이 있으면 됩니다.",
        )
        items = nodes.bullet_list()
        for path, what in (
            (wheel, "adamlib 패키지: 책의 모든 계산과 그림을 만드는 코드, 글꼴, 데이터"),
            (
                bundle,
                f"여덟 장의 노트북, 고정된 패키지 버전 목록(`{LAB_REQUIREMENTS}`), "
                "안내문(`README.txt`)",
            ),
        ):
            para = nodes.paragraph()
            para += link(path.name)
            para += _paragraph(f" ({_size(path)}): {what}").children
            items += nodes.list_item("", para)
        admonition += items
        admonition += _paragraph(
            "두 파일을 빈 폴더 하나에 내려받고, 그 폴더의 터미널에서 차례로 실행합니다. "
            "Windows에서는 압축을 탐색기로 풀고, 가상 환경을 `.venv\\Scripts\\activate`로 "
            "켭니다."
        )
        text = command_text(wheel.name)
        admonition += nodes.literal_block(text, text, language="bash")
        admonition += _paragraph(
            "저장소를 복제했다면 `make lab` 하나가 같은 일을 합니다(저장소의 README 참고)."
        )
        box.replace_self(admonition)


def _build_downloads(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    staging = Path(tempfile.mkdtemp(prefix="take-home-"))
    wheel = build_wheel(ROOT, staging)
    bundle = build_zip(ROOT, staging, wheel.name)
    app.take_home_files = {"wheel": wheel, "zip": bundle}  # type: ignore[attr-defined]
    logger.info(f"take_home: {wheel.name} ({_size(wheel)}), {bundle.name} ({_size(bundle)})")


def _copy_downloads(app: Sphinx, exception: Exception | None) -> None:
    built: dict[str, Path] | None = getattr(app, "take_home_files", None)
    if exception is not None or built is None:
        return
    target = Path(app.outdir) / DOWNLOADS
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in built.values():
        shutil.copy2(path, target / path.name)
    shutil.rmtree(built["wheel"].parent, ignore_errors=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(take_home_box)
    app.add_directive("take-home", TakeHome)
    app.connect("builder-inited", _build_downloads)
    app.connect("doctree-read", _add_to_notebook_pages)
    app.connect("doctree-resolved", _render)
    app.connect("build-finished", _copy_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
