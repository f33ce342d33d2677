"""Vendor axe-core (the accessibility checker the browser tests inject) from the npm registry.

The tarball of the npm registry's ``axe-core`` package at a pinned version is downloaded with
the standard library, checked against its published ``dist.integrity`` (sha512, pinned here as
well, so a changed tarball fails instead of being vendored), and only ``axe.min.js`` and the
licence (MPL-2.0) are kept in ``tests/browser/vendor/axe-core/``, with a ``VENDORED.txt`` naming
the version and the integrity. The site itself never ships it: the tests load it into each page
with Playwright's ``page.add_script_tag``.

Usage: ``python tools/vendor_axe.py`` (``make vendor-axe``). To move to another release, set
``VERSION`` and ``INTEGRITY`` to that release's values from ``https://registry.npmjs.org/axe-core``
(``versions[VERSION].dist.integrity``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "browser" / "vendor" / "axe-core"

VERSION = "4.14.1"
INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# Members of the package kept (the tarball's paths start with ``package/``).
KEEP = ("axe.min.js", "LICENSE")


def integrity(data: bytes) -> str:
    """The npm ``dist.integrity`` string (Subresource Integrity, sha512) of ``data``.

    Parameters
    ----------
    data : bytes
        The tarball as downloaded.

    Returns
    -------
    str
        ``"sha512-"`` followed by the base64 of the SHA-512 digest.
    """
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def download(url: str) -> bytes:
    """Fetch ``url`` and return its body.

    Parameters
    ----------
    url : str
        The tarball's address in the npm registry.

    Returns
    -------
    bytes
        The body of the response.
    """
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def vendor(target: Path = TARGET) -> Path:
    """Download, verify and unpack the pinned axe-core into ``target`` (replacing it).

    Parameters
    ----------
    target : Path
        The folder to fill with ``axe.min.js``, ``LICENSE`` and ``VENDORED.txt``.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    RuntimeError
        If the tarball's integrity is not the pinned one, or a kept file is missing from it.
    """
    data = download(TARBALL)
    got = integrity(data)
    if got != INTEGRITY:
        raise RuntimeError(f"integrity mismatch for {TARBALL}: got {got}, expected {INTEGRITY}")
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "axe-core"
        staging.mkdir()
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for name in KEEP:
                try:
                    member = archive.extractfile(f"package/{name}")
                except KeyError:
                    member = None
                if member is None:
                    raise RuntimeError(f"package/{name} is not in {TARBALL}")
                (staging / name).write_bytes(member.read())
        (staging / "VENDORED.txt").write_text(
            f"axe-core {VERSION} (Mozilla Public License 2.0, see LICENSE), vendored by\n"
            "`make vendor-axe` (tools/vendor_axe.py) from the npm registry's axe-core package,\n"
            f"integrity {INTEGRITY}.\n"
            "Kept: axe.min.js and LICENSE. Used only by the browser tests "
            "(tests/browser/test_accessibility.py),\n"
            "which inject it into each page; the site does not ship it.\n",
            encoding="utf-8",
        )
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, target)
    return target


def main() -> int:
    """Vendor axe-core and print what was written."""
    target = vendor()
    for path in sorted(target.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
