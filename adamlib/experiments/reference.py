"""Chapter 4: PyTorch's own Adam trajectories, shipped with the package and replayed by adamlib.

``tests/reference/make_reference.py`` records 110 runs of ``torch.optim`` (torch 2.13.0, float64,
CPU, one tensor at a time) in ``tests/reference/torch_vectors.npz``, and the test suite replays
all of them. Chapter 4 replays the runs of two Adam settings; those runs, their gradients and the
starting point are copied into ``data/torch_adam_vectors.npz`` beside this module (by
:func:`chapter_subset`, which ``make_reference.py`` calls), so that a notebook outside the
repository finds them through the package. Neither file needs torch to be read.

Each run is named ``"<setting>__<sequence>"``, for example ``"adam__tiny"``: the setting's
arguments are in ``meta["runs"][run]["adamlib_kwargs"]``, the gradients ``g_1 … g_T`` in
``grads__<sequence>`` and torch's parameters φ_t at the recorded steps in ``params__<run>``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from adamlib.adam import Adam
from adamlib.trace import Trace, run_sequence

#: The package's copy of the chapter's runs (``data/`` beside this module).
TORCH_ADAM_NPZ = "torch_adam_vectors.npz"

#: The settings whose runs chapter 4 replays: PyTorch's defaults, and β1 = 0.95, β2 = 0.9999,
#: ε = 1e-6 (where ε's place in the formula shows).
CHAPTER_SETTINGS = ("adam", "adam_betas_095_09999_eps1e-6")

_TINY = float(np.finfo(np.float64).tiny)


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """How far ``a`` is from ``b``, relative to the scale of ``b``: max|a − b| / max|b|.

    The denominator is the largest entry of the whole array (at least float64's smallest normal
    number), so an entry near zero does not turn last-bit rounding into a large ratio. This is
    the measure of ``tests/contracts/test_reference.py``, where adamlib must stay within 1e-12.

    Parameters
    ----------
    a, b : ndarray
        Arrays of the same shape; ``b`` is the reference.

    Returns
    -------
    float
        0.0 when the arrays are equal.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(float(np.max(np.abs(b))), _TINY)
    return float(np.max(np.abs(a - b))) / scale


@dataclass(frozen=True)
class TorchReference:
    """Recorded ``torch.optim.Adam`` runs: the gradients fed in and the parameters that came out.

    Attributes
    ----------
    meta : dict
        How the runs were made (``torch_version``, ``n_steps``, ``sequences``, ``runs``, ...).
    arrays : dict of str to ndarray
        ``params0`` (φ_0), ``record_steps`` (the steps t whose φ_t was recorded: step 1, every
        10th and the last), ``grads__<sequence>`` and ``params__<run>``.
    """

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def runs(self) -> list[str]:
        """The recorded runs, ``"<setting>__<sequence>"``, in the order they were made."""
        return list(self.meta["runs"])

    def torch_phi(self, run: str) -> np.ndarray:
        """torch's φ_t at :attr:`record_steps`, shape ``(len(record_steps), n_params)``."""
        return self.arrays[f"params__{self._run(run)}"]

    @property
    def record_steps(self) -> np.ndarray:
        """Row indices t of a :class:`~adamlib.trace.Trace` whose φ_t torch recorded."""
        return self.arrays["record_steps"]

    def replay(self, run: str) -> Trace:
        """Feed the run's recorded gradients to :class:`~adamlib.adam.Adam` with its arguments.

        Returns
        -------
        Trace
            adamlib's whole run from φ_0; ``trace.phi[self.record_steps]`` compares with
            :meth:`torch_phi`.
        """
        spec = self.meta["runs"][self._run(run)]
        grads = self.arrays[f"grads__{spec['sequence']}"]
        return run_sequence(Adam(**spec["adamlib_kwargs"]), grads, self.arrays["params0"])

    def _run(self, run: str) -> str:
        if run not in self.meta["runs"]:
            raise ValueError(f"run must be one of {self.runs}, got {run!r}")
        return run


def load_torch_reference() -> TorchReference:
    """Chapter 4's recorded torch runs, read from the package (no torch, no repository needed)."""
    raw = (resources.files("adamlib.experiments") / "data" / TORCH_ADAM_NPZ).read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    return TorchReference(meta=meta, arrays=arrays)


def chapter_subset(
    full: Mapping[str, np.ndarray], settings: tuple[str, ...] = CHAPTER_SETTINGS
) -> dict[str, np.ndarray]:
    """The arrays of ``settings``' runs out of the whole reference file, for the package.

    The metadata keeps only those settings and runs, and records how many the whole file holds
    (``full_settings``, ``full_runs``). The gradients, φ_0 and the recorded steps are copied
    unchanged, so a replay of the subset is a replay of the whole file.

    Parameters
    ----------
    full : mapping of str to ndarray
        The contents of ``tests/reference/torch_vectors.npz``.
    settings : tuple of str
        Setting names (keys of ``meta["configs"]``).

    Returns
    -------
    dict of str to ndarray
        Ready for ``np.savez_compressed``.
    """
    meta = json.loads(str(full["meta"]))
    unknown = [s for s in settings if s not in meta["configs"]]
    if unknown:
        raise ValueError(f"settings must be names in the reference file, got {unknown}")
    runs = {name: run for name, run in meta["runs"].items() if run["config"] in settings}
    small = dict(meta)
    small["configs"] = {name: meta["configs"][name] for name in settings}
    small["runs"] = runs
    small["full_settings"] = len(meta["configs"])
    small["full_runs"] = len(meta["runs"])
    keep = {"params0", "record_steps"} | {f"grads__{seq}" for seq in meta["sequences"]}
    out = {key: np.asarray(full[key]) for key in sorted(keep)}
    for name in runs:
        for key in full:
            if key == f"params__{name}" or key.startswith(f"state__{name}__"):
                out[key] = np.asarray(full[key])
    out["meta"] = np.array(json.dumps(small, sort_keys=True))
    return out
