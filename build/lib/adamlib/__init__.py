r"""adamlib: the Adam optimizer, piece by piece, for the book "Adam, 모멘텀".

The package is laid out like the book. Read the algorithm modules next to the chapters; each
formula lives once, in plain form and in the book's symbols (φ, g_t, m_t, v_t, β1, β2, ε, α):

- :mod:`adamlib.moments`: exponential moving averages, :math:`m_t` and :math:`v_t` (chapters 1, 2)
- :mod:`adamlib.bias`: bias correction :math:`1-\beta^t` (chapter 3)
- :mod:`adamlib.adam`: the Adam update and :class:`Adam` (chapters 4, 5)
- :mod:`adamlib.optimizers`: SGD, Momentum, AdaGrad, RMSProp, AdaMax, AMSGrad, same interface
- :mod:`adamlib.radam`, :mod:`adamlib.nadam`, :mod:`adamlib.schedules`: RAdam, NAdam and
  learning-rate schedules (chapter 7)
- :mod:`adamlib.inplace`, :mod:`adamlib.fused`: the same Adam step, optimized for large arrays
  (chapter 6): blocked in-place NumPy, and one fused pass compiled with numba

The workbench every chapter uses: :mod:`adamlib.problems` (test functions), :mod:`adamlib.trace`
(runs that record every quantity), :mod:`adamlib.tuning` (fair learning-rate sweeps),
:mod:`adamlib.tables`, :mod:`adamlib.plotting` (figures with a bundled Hangul font; import it
explicitly) and :mod:`adamlib.animation` (kernel-free animations).

Two subpackages, imported explicitly:

- :mod:`adamlib.ml`: the digits data set, softmax regression and a small MLP with hand-written
  backprop, and a minibatch training loop (they load scikit-learn; chapters 6, 7)
- :mod:`adamlib.experiments`: each chapter's own helpers, one module per chapter or topic

Arguments are checked once, where they enter (``adamlib._checks``): an optimizer's
constructor and the entry of ``step``. The formulas below that check nothing.
"""

from adamlib._checks import NonFiniteError
from adamlib.adam import Adam, AdamState, adam_direction, effective_learning_rate
from adamlib.bias import bias_correction, bias_corrections, correct
from adamlib.inplace import InplaceAdamState
from adamlib.moments import effective_window, ema, ema_weights, first_moment, second_moment
from adamlib.nadam import NAdam
from adamlib.optimizers import SGD, AdaGrad, AdaMax, Momentum, RMSProp, amsgrad
from adamlib.problems import Beale, Problem, Quadratic, Rosenbrock
from adamlib.radam import RAdam
from adamlib.trace import Trace, run, run_sequence

__all__ = [
    "SGD",
    "AdaGrad",
    "AdaMax",
    "Adam",
    "AdamState",
    "Beale",
    "InplaceAdamState",
    "Momentum",
    "NAdam",
    "NonFiniteError",
    "Problem",
    "Quadratic",
    "RAdam",
    "RMSProp",
    "Rosenbrock",
    "Trace",
    "adam_direction",
    "amsgrad",
    "bias_correction",
    "bias_corrections",
    "correct",
    "effective_learning_rate",
    "effective_window",
    "ema",
    "ema_weights",
    "first_moment",
    "run",
    "run_sequence",
    "second_moment",
]

__version__ = "0.2.0"
