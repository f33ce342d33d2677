"""A tiny NumPy machine-learning stack for chapters 6 and 7.

- :mod:`adamlib.ml.data`: the digits data set (from scikit-learn, nothing downloaded),
  minibatches, sparse features
- :mod:`adamlib.ml.models`: softmax regression and a small MLP with hand-written backprop
- :mod:`adamlib.ml.training`: the minibatch training loop, for any adamlib optimizer
"""
