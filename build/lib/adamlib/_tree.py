"""Parameters as one ndarray or a dict of name -> ndarray; the state mirrors that shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import numpy as np

Params: TypeAlias = np.ndarray | Mapping[str, np.ndarray]


def is_dict(tree: object) -> bool:
    """Whether ``tree`` is a dict of arrays rather than one array (an ndarray is checked first,
    because ``isinstance(x, Mapping)`` is an abstract-class check and costs more)."""
    return not isinstance(tree, np.ndarray) and isinstance(tree, Mapping)


def tree_map(fn: Callable[..., Any], tree: Params, *rest: Any) -> Any:
    """Apply ``fn`` leaf by leaf to ``tree`` and the trees in ``rest`` (same structure)."""
    if isinstance(tree, Mapping):
        return {k: fn(tree[k], *(r[k] for r in rest)) for k in tree}
    return fn(tree, *rest)


def tree_leaves(tree: Any) -> list[np.ndarray]:
    """The leaves of ``tree`` in key order."""
    if isinstance(tree, Mapping):
        return [tree[k] for k in tree]
    return [tree]
