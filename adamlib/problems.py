r"""Test functions with analytic gradients, for trajectories and contour plots.

Each problem maps parameters :math:`\phi \in \mathbb{R}^2` (or :math:`\mathbb{R}^n` for the
quadratic) to a loss and its exact gradient; :meth:`Problem.noisy_grad` adds seeded Gaussian noise
to imitate minibatch gradients.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from adamlib._checks import check_nonnegative


class Problem(ABC):
    """A differentiable objective :math:`f(\\phi)` with a known minimiser."""

    #: Short Korean name for titles and legends.
    label: str
    #: Plot window ``(xmin, xmax, ymin, ymax)`` for 2-D problems.
    window: tuple[float, float, float, float]

    @abstractmethod
    def loss(self, phi: np.ndarray) -> float:
        r""":math:`f(\phi)`."""

    @abstractmethod
    def grad(self, phi: np.ndarray) -> np.ndarray:
        r""":math:`\nabla f(\phi)`, exact."""

    @property
    @abstractmethod
    def minimum(self) -> np.ndarray:
        r"""The minimiser :math:`\phi^\star`."""

    def noisy_grad(self, phi: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
        r"""Gradient plus noise: :math:`\nabla f(\phi) + \sigma\xi`, :math:`\xi \sim N(0, I)`."""
        noise = check_nonnegative(noise, "noise")
        g = self.grad(phi)
        if noise == 0.0:
            return g
        return g + noise * rng.standard_normal(g.shape)

    def loss_grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Loss on the grid ``xs`` × ``ys`` (rows follow ``ys``), for contour plots."""
        return np.array([[self.loss(np.array([x, y])) for x in xs] for y in ys])


@dataclass(frozen=True)
class Quadratic(Problem):
    r"""An ill-conditioned quadratic :math:`f(\phi) = \tfrac12 (\phi-c)^\top H (\phi-c)`.

    :math:`H = R\,\mathrm{diag}(h)\,R^\top` with :math:`R` a rotation by ``angle`` (2-D only),
    so the condition number is :math:`\max h / \min h`.

    Parameters
    ----------
    curvatures : tuple of float, default (1.0, 25.0)
        The eigenvalues :math:`h_i > 0` of :math:`H`.
    angle : float, default 0.0
        Rotation of the principal axes in radians (2-D only).
    center : tuple of float or None
        The minimiser :math:`c`; zeros when omitted.
    """

    curvatures: tuple[float, ...] = (1.0, 25.0)
    angle: float = 0.0
    center: tuple[float, ...] | None = None
    label: str = "이차 함수"
    window: tuple[float, float, float, float] = (-2.5, 2.5, -1.5, 1.5)
    _h: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        h = np.asarray(self.curvatures, dtype=np.float64)
        if h.ndim != 1 or h.size == 0 or not np.all(h > 0) or not np.all(np.isfinite(h)):
            raise ValueError(f"curvatures must be positive and finite, got {self.curvatures!r}")
        if self.angle != 0.0 and h.size != 2:
            raise ValueError(f"angle needs 2 curvatures, got {self.curvatures!r}")
        if self.center is not None and len(self.center) != h.size:
            raise ValueError(f"center must have {h.size} entries, got {self.center!r}")
        c, s = math.cos(self.angle), math.sin(self.angle)
        rot = np.array([[c, -s], [s, c]]) if h.size == 2 else np.eye(h.size)
        object.__setattr__(self, "_h", rot @ np.diag(h) @ rot.T)

    @property
    def hessian(self) -> np.ndarray:
        """:math:`H`."""
        return self._h.copy()

    @property
    def minimum(self) -> np.ndarray:
        if self.center is None:
            return np.zeros(len(self.curvatures))
        return np.asarray(self.center, dtype=np.float64)

    def loss(self, phi: np.ndarray) -> float:
        d = phi - self.minimum
        return float(0.5 * d @ self._h @ d)

    def grad(self, phi: np.ndarray) -> np.ndarray:
        return self._h @ (phi - self.minimum)


@dataclass(frozen=True)
class Rosenbrock(Problem):
    r"""Rosenbrock's valley :math:`f(x, y) = (a-x)^2 + b(y-x^2)^2`, minimum at :math:`(a, a^2)`."""

    a: float = 1.0
    b: float = 100.0
    label: str = "로젠브록 함수"
    window: tuple[float, float, float, float] = (-2.0, 2.0, -1.0, 3.0)

    @property
    def minimum(self) -> np.ndarray:
        return np.array([self.a, self.a**2])

    def loss(self, phi: np.ndarray) -> float:
        x, y = phi
        return float((self.a - x) ** 2 + self.b * (y - x**2) ** 2)

    def grad(self, phi: np.ndarray) -> np.ndarray:
        x, y = phi
        return np.array(
            [-2.0 * (self.a - x) - 4.0 * self.b * x * (y - x**2), 2.0 * self.b * (y - x**2)]
        )


@dataclass(frozen=True)
class Beale(Problem):
    r"""Beale's function, minimum 0 at :math:`(3, 0.5)`.

    .. math:: f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
    """

    label: str = "빌 함수"
    window: tuple[float, float, float, float] = (-4.5, 4.5, -4.5, 4.5)

    _c = (1.5, 2.25, 2.625)

    @property
    def minimum(self) -> np.ndarray:
        return np.array([3.0, 0.5])

    def loss(self, phi: np.ndarray) -> float:
        x, y = phi
        return float(sum((c - x + x * y**k) ** 2 for k, c in enumerate(self._c, start=1)))

    def grad(self, phi: np.ndarray) -> np.ndarray:
        x, y = phi
        gx = gy = 0.0
        for k, c in enumerate(self._c, start=1):
            r = c - x + x * y**k
            gx += 2.0 * r * (y**k - 1.0)
            gy += 2.0 * r * k * x * y ** (k - 1)
        return np.array([gx, gy])
