"""The HTML of a step table: one cell per value, numbers marked for right alignment."""

from __future__ import annotations

import re

import pytest

from adamlib import Adam
from adamlib.tables import Table, step_table
from adamlib.trace import run_sequence


def test_every_value_is_its_own_cell_and_numbers_are_marked() -> None:
    trace = run_sequence(Adam(lr=0.1), [1.0, -1.0])
    table = step_table(trace, 2, columns=("t", "g", "m_hat", "v_hat"))
    html = table._repr_html_()
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert cells == [c for row in table.rows for c in row]
    assert html.count('<th class="num">') == 4
    assert html.startswith('<div class="adamlib-table-scroll"><table class="adamlib-table">')


@pytest.mark.parametrize(
    ("value", "numeric"),
    [("0.9", True), ("-1e-08", True), ("\u22120.05", True), ("12.5%", True), ("inf", True)],
)
def test_number_cells(value: str, numeric: bool) -> None:
    html = Table(["x"], ["x"], [[value]])._repr_html_()
    assert ('<td class="num">' in html) is numeric


@pytest.mark.parametrize("value", ["SGD", "빌 함수", "0.9 (기본값)", "1e-3 ~ 1e-2"])
def test_text_cells_stay_left_aligned(value: str) -> None:
    html = Table(["x"], ["x"], [[value]])._repr_html_()
    assert "<td>" in html and 'class="num"' not in html


def test_a_word_standing_for_a_value_keeps_its_column_numeric() -> None:
    rows = [["SGD", "21", "돌아오지 못함"], ["RMSProp", "41", "476"], ["Adam", "29", "113"]]
    html = Table(["a", "b", "c"], ["a", "b", "c"], rows)._repr_html_()
    assert '<td class="num">돌아오지 못함</td>' in html and "<td>SGD</td>" in html
