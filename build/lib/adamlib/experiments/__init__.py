"""Each chapter's own helpers: the code behind one chapter's tables and figures.

The algorithm lives in the top-level modules (:mod:`adamlib.moments`, :mod:`adamlib.bias`,
:mod:`adamlib.adam`, ...); what is here only measures, tabulates or sets up experiments with it,
and nothing in the algorithm imports it. One module per chapter or topic:

- chapter 3: :mod:`~adamlib.experiments.bias_correction` (expected moments, the
  non-stationarity term, how long the correction matters, seeded noisy gradients)
- chapter 4: :mod:`~adamlib.experiments.update_rule` (how far one step goes) and
  :mod:`~adamlib.experiments.epsilon` (where ε sits in PyTorch, the paper, Keras and optax)
- chapter 5: :mod:`~adamlib.experiments.cooperation` (the signal-to-noise ratio of m̂_t and v̂_t)
- chapter 6: :mod:`~adamlib.experiments.cost` (the cost ladder of one step and the GPU
  measurements shipped with the package), :mod:`~adamlib.experiments.memory`,
  :mod:`~adamlib.experiments.sensitivity`, :mod:`~adamlib.experiments.sparse`,
  :mod:`~adamlib.experiments.nonstationary`
- chapter 7: :mod:`~adamlib.experiments.online` (Reddi et al.'s counterexample),
  :mod:`~adamlib.experiments.weight_decay`, :mod:`~adamlib.experiments.adaptive_variance`,
  :mod:`~adamlib.experiments.stability`
"""
