r"""adamlib: the Adam optimizer, piece by piece, for the book "Adam, 모멘텀".

Each formula lives once, in the module of its chapter:

- :mod:`adamlib.moments`: exponential moving averages, :math:`m_t` and :math:`v_t` (chapters 1, 2)
- :mod:`adamlib.bias`: bias correction :math:`1-\beta^t` (chapter 3)
- :mod:`adamlib.adam`: the Adam update and :class:`Adam` (chapters 4, 5)
- :mod:`adamlib.optimizers`: SGD, Momentum, AdaGrad, RMSProp, AdaMax, AMSGrad, same interface
- :mod:`adamlib.radam`: RAdam and its rectification term (chapter 7)
- :mod:`adamlib.epsilon`: where ε sits: the paper's, Keras's, optax's and PyTorch's forms (ch. 4)
- :mod:`adamlib.tuning`, :mod:`adamlib.animation`: fair α grids, kernel-free sweeps (ch. 5)
- :mod:`adamlib.memory`, :mod:`adamlib.sensitivity`, :mod:`adamlib.sparse`,
  :mod:`adamlib.nonstationary`: the experiments on Adam's claimed advantages (ch. 6)
- :mod:`adamlib.online`, :mod:`adamlib.weight_decay`, :mod:`adamlib.adaptive_variance`,
  :mod:`adamlib.schedules`, :mod:`adamlib.stability`: Adam's limits and successors (ch. 7)
- :mod:`adamlib.problems`, :mod:`adamlib.trace`, :mod:`adamlib.tables`: test functions, runs
  that record every quantity, step-by-step tables
- :mod:`adamlib.plotting`: figures with a bundled Hangul font (import it explicitly)
- :mod:`adamlib.data`, :mod:`adamlib.models`, :mod:`adamlib.training`: the digits data set,
  softmax regression and a small MLP with hand-written backprop, and a minibatch training loop
  (import them explicitly, they load scikit-learn)
"""

from adamlib.adam import (
    Adam,
    AdamState,
    InplaceAdamState,
    adam_direction,
    effective_learning_rate,
)
from adamlib.bias import bias_correction, bias_corrections, correct
from adamlib.moments import effective_window, ema, ema_weights, first_moment, second_moment
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

__version__ = "0.1.0"
