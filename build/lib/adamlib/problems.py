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

from adamlib._checks import check_count, check_nonnegative


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


@dataclass(frozen=True)
class LogisticRegression(Problem):
    r"""Logistic regression on seeded synthetic data, with minibatch gradients.

    .. math::
        f(\phi) = \frac1N \sum_{j=1}^{N} \Bigl[\log\bigl(1+e^{x_j^\top\phi}\bigr)
                  - y_j\, x_j^\top\phi\Bigr] + \frac{\lambda}{2}\lVert\phi\rVert^2

    The inputs are :math:`x_j \sim N(0, I_d)` and the labels :math:`y_j \in \{0, 1\}` are drawn
    with probability :math:`\sigma(x_j^\top w)`, :math:`w \sim N(0, I_d)`, all from ``seed``: the
    classes overlap, so the minimiser is finite even with :math:`\lambda = 0`.
    :meth:`noisy_grad` averages over a random minibatch, the noise of real training.

    Parameters
    ----------
    n_samples : int, default 500
        :math:`N`.
    n_features : int, default 10
        :math:`d`, the number of parameters.
    batch_size : int or None, default 16
        Examples per minibatch gradient (drawn with replacement); None uses all :math:`N`.
    l2 : float, default 0.0
        :math:`\lambda \ge 0`.
    seed : int, default 0
        Seed of the data; the minibatches come from the generator passed to :meth:`noisy_grad`.
    """

    n_samples: int = 500
    n_features: int = 10
    batch_size: int | None = 16
    l2: float = 0.0
    seed: int = 0
    label: str = "로지스틱 회귀"
    window: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)
    _x: np.ndarray = field(init=False, repr=False, compare=False)
    _y: np.ndarray = field(init=False, repr=False, compare=False)
    _min: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_count(self.n_samples, "n_samples")
        check_count(self.n_features, "n_features")
        if self.batch_size is not None:
            check_count(self.batch_size, "batch_size")
        check_nonnegative(self.l2, "l2")
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.n_samples, self.n_features))
        w = rng.standard_normal(self.n_features)
        y = (rng.random(self.n_samples) < _sigmoid(x @ w)).astype(np.float64)
        object.__setattr__(self, "_x", x)
        object.__setattr__(self, "_y", y)
        object.__setattr__(self, "_min", self._newton())

    def _newton(self, iterations: int = 100) -> np.ndarray:
        """The minimiser by Newton's method (the loss is convex; strictly so here)."""
        phi = np.zeros(self.n_features)
        for _ in range(iterations):
            p = _sigmoid(self._x @ phi)
            hess = (self._x.T * (p * (1.0 - p))) @ self._x / self.n_samples
            hess += self.l2 * np.eye(self.n_features)
            try:
                step = np.linalg.solve(hess, self.grad(phi))
            except np.linalg.LinAlgError:
                break
            phi = phi - step
            if not np.all(np.isfinite(phi)):
                break
            if np.max(np.abs(step)) < 1e-12 * (1.0 + np.max(np.abs(phi))):
                return phi
        raise ValueError(
            f"Newton's method did not converge for seed={self.seed!r}: the classes may be "
            f"separable; use more samples or l2 > 0 (got l2={self.l2!r})"
        )

    @property
    def minimum(self) -> np.ndarray:
        return self._min.copy()

    def loss(self, phi: np.ndarray) -> float:
        z = self._x @ phi
        data = float(np.mean(np.logaddexp(0.0, z) - self._y * z))
        return data + 0.5 * self.l2 * float(phi @ phi)

    def _grad_on(self, phi: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        x, y = self._x[rows], self._y[rows]
        return x.T @ (_sigmoid(x @ phi) - y) / len(y) + self.l2 * phi

    def grad(self, phi: np.ndarray) -> np.ndarray:
        return self._grad_on(phi, slice(None))

    def noisy_grad(self, phi: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
        r"""A minibatch gradient (``batch_size`` examples drawn by ``rng``), plus :math:`\sigma\xi`.

        Parameters
        ----------
        phi : ndarray
            :math:`\phi`.
        noise : float
            :math:`\sigma \ge 0` of extra Gaussian noise; 0 leaves the minibatch noise alone.
        rng : numpy.random.Generator
            Draws the minibatch (and the extra noise).
        """
        noise = check_nonnegative(noise, "noise")
        if self.batch_size is None:
            g = self.grad(phi)
        else:
            g = self._grad_on(phi, rng.integers(0, self.n_samples, self.batch_size))
        if noise == 0.0:
            return g
        return g + noise * rng.standard_normal(g.shape)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(z) = 1/(1+e^{-z})`, written with tanh so large :math:`|z|` cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))
