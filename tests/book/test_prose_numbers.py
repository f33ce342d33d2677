"""Every number in a chapter's prose is printed by a cell of that chapter.

The checker is `prose_numbers.py` beside this file; its docstring gives the rules. The chapter
tests read each notebook from disk on every run, so they see the prose as it is now. A number
that fails is either unsupported (add a cell that prints it, or change the prose) or derived in
the prose itself (add it to `prose_numbers_allowed.toml` with the context and a reason).

Run ``python tests/book/prose_numbers.py --where`` to see which cell supports each number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prose_numbers as pn  # the checker beside this file

CHAPTERS = pn.chapter_notebooks()
ALLOW = pn.AllowList.load()


def test_the_eight_chapters_are_checked() -> None:
    assert [p.name[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(8)], CHAPTERS


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_prose_number_is_printed(path: Path) -> None:
    report = pn.check_chapter(path, ALLOW)
    if report.unmatched:
        pytest.fail(report.message(), pytrace=False)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_allow_list_entry_is_stale(path: Path) -> None:
    report = pn.check_chapter(path, ALLOW)
    if report.stale:
        pytest.fail(report.message(), pytrace=False)


def test_the_allow_list_is_well_formed() -> None:
    stems = {p.stem for p in CHAPTERS}
    assert set(ALLOW.chapter_entries) <= stems, set(ALLOW.chapter_entries) - stems
    entries = [*ALLOW.global_entries, *(e for es in ALLOW.chapter_entries.values() for e in es)]
    for entry in entries:
        assert entry.reason.strip(), entry
        assert entry.values, entry  # the number parses to exactly one number
    for chapter in ALLOW.chapter_entries.values():
        assert all(e.context.strip() for e in chapter)


# ---------------------------------------------------------------------------------------------
# The extractor and the matcher themselves
# ---------------------------------------------------------------------------------------------


def numbers(markdown: str) -> list[str]:
    return [n.text for n in pn.extract_prose_numbers(markdown)]


def stated(*values: float, percent: bool = False) -> pn.StatedNumbers:
    return pn.StatedNumbers(pn.Stated(v, 0, percent) for v in values)


def matches(markdown: str, *values: float, percent: bool = False, which: int = 0) -> bool:
    number = pn.extract_prose_numbers(markdown)[which]
    return bool(number.support(stated(*values, percent=percent)))


def test_numbers_in_text_and_math_are_read() -> None:
    text = (
        "$\\alpha = 0.0464$에서 $10^{-17}$, $1.4 \\times 10^{72}$, 10⁻¹⁷과 1.4×10⁷², "
        "30.5 %와 $5\\,\\%$, 1,797장, 0.96–1.05"
    )
    assert numbers(text) == [
        "0.0464",
        "10^{-17}",
        "1.4 \\times 10^{72}",
        "10⁻¹⁷",
        "1.4×10⁷²",
        "30.5 %",
        "5 \\%",
        "1,797",
        "0.96",
        "1.05",
    ]


def test_superscripts_are_powers_of_ten() -> None:
    (power,) = pn.extract_prose_numbers("그래디언트는 10⁻¹⁷ 수준")
    assert power.kind == "power" and power.value == pytest.approx(1e-17)
    (mantissa,) = pn.extract_prose_numbers("손실이 1.4 × 10⁷²에 이릅니다")
    assert mantissa.kind == "mantissa" and mantissa.value == pytest.approx(1.4e72)


def test_what_is_not_a_quantity_is_skipped() -> None:
    text = (
        "(sec-label)=\n"
        "## 7. 판정표\n"
        "1. `Adam(lr=0.02, steps=300)`와 {ref}`그림 <fig-12>`, {cite:p}`kingma2015adam`, "
        '[링크](https://example.org/2015/v2.html), <span data-n="42">글</span>\n'
        "3장과 4절, 6.4절, 1차 모멘트, 2차원, 7번 줄, 그림 4, β1, φ_1, L2, float32, "
        "$\\beta_1$, $g_t$, $m_{t-1}$, $\\sum_{i=1}^{t}$\n"
        "```python\nx = 123\n```\n"
        "```{exercise}\n:label: ex-9\n\n본문의 0.5\n```\n"
    )
    assert numbers(text) == ["0.5"]
    assert numbers("손글씨 1797장") == ["1797"]  # a count of images, not chapter 1797


def test_a_decimal_matches_at_its_written_precision() -> None:
    assert matches("스텝이 $0.94\\,\\alpha$", 0.943)
    assert matches("스텝이 $0.94\\,\\alpha$", 0.9396)
    assert not matches("스텝이 $0.94\\,\\alpha$", 0.955, 0.9, 0.93)
    assert matches("0.3 남짓", 0.34) and not matches("0.3 남짓", 0.36)


def test_an_integer_matches_at_its_written_precision() -> None:
    assert matches("모두 90번의 실행", 90)
    assert not matches("모두 180번의 실행", 90, 3 * 3 * 2 * 5)
    assert matches("평균 63도", 62.6)
    assert matches("약 1000배", 995) and not matches("1000배", 995)


def test_an_order_of_magnitude_matches_by_rounded_log10() -> None:
    assert matches("그래디언트는 $10^{-17}$ 수준", 1.2e-17)
    assert matches("그래디언트는 $10^{-17}$ 수준", 9e-18)
    assert not matches("그래디언트는 $10^{-17}$ 수준", 4.9e-14)
    assert not matches("그래디언트는 $10^{-14}$ 이하", 4.9e-14)  # log10 rounds to -13


def test_a_mantissa_must_agree_in_its_digits() -> None:
    assert matches("$1.4 \\times 10^{72}$", 1.43e72)
    assert not matches("$1.4 \\times 10^{72}$", 1e74)
    assert not matches("10⁷⁴", 1.4e72)  # the known bad number of chapter 5


def test_a_percentage_matches_a_printed_percentage_or_a_fraction() -> None:
    assert matches("30.5 %", 30.5, percent=True)
    assert matches("30.5%", 0.305)
    assert not matches("30.5 %", 30.5)  # a bare 30.5 is not a percentage
    assert [n.kind for n in pn.extract_prose_numbers("10–20 % 어긋남")] == ["percent"] * 2


def test_korean_units_and_fractions() -> None:
    assert matches("처음 1만 스텝", 10_000)
    assert matches("50분의 1만 1이기", 1, which=1)  # 만 may also mean "only"
    assert matches("20분의 1 정도", 0.05)


def test_printed_numbers_are_read_from_each_output() -> None:
    cell = {
        "cell_type": "code",
        "source": "",
        "outputs": [
            {"output_type": "stream", "text": ["a = 1.2e-17, b = 30.5 %, c = 1.43 × 10⁷²\n"]},
            {
                "output_type": "display_data",
                "data": {"image/png": "", "text/plain": "<Figure size 700x340 with 1 Axes>"},
            },
            {
                "output_type": "execute_result",
                "data": {
                    "text/html": "<style>.x{width:42px}</style><table><tr><th>n</th>"
                    "<th>비율 (%)</th></tr><tr><td>7</td><td>80.4</td></tr></table>",
                    "text/plain": "ignored 99",
                },
            },
            {"output_type": "error", "ename": "E", "evalue": "77", "traceback": ["77"]},
        ],
    }
    found = pn.output_numbers(cell)
    values = sorted({n.value for n in found})
    assert values == pytest.approx(sorted([0.305, 1.2e-17, 7, 30.5, 80.4, 1.43e72]))
    assert {n.value for n in found if n.percent} == {30.5, 80.4}


def test_code_numbers_skip_comments_strings_and_asserts() -> None:
    source = 'steps = 300  # not 7\nlabel = "8 %"\nassert err < 1e-14\nopt(lr=2e-2, n=10_000)\n'
    assert pn.code_numbers(source) == [300, 0.02, 10_000]


def notebook(markdown: str, printed: str, code: str = "") -> dict:
    output = {"output_type": "stream", "name": "stdout", "text": printed}
    return {
        "cells": [
            {"cell_type": "markdown", "source": markdown},
            {"cell_type": "code", "source": code, "outputs": [output]},
        ]
    }


def test_the_check_fails_on_an_unprinted_number() -> None:
    nb = notebook("보정 있음과 없음으로 모두 180번의 실행입니다.", "runs: 90\n")
    report = pn.check_notebook(nb, "03_bias_correction", pn.AllowList())
    assert [n.text for n in report.unmatched] == ["180"]
    message = report.message()
    assert "cell  0" in message and "모두 ⟦180⟧번의 실행" in message


def test_code_settings_and_the_allow_list_support_numbers() -> None:
    nb = notebook("$\\alpha = 0.02$로 300스텝, 평균은 $1.67$, $\\beta_2 = 0.999$", "")
    allow = pn.AllowList(
        (pn.Allowed("0.999", "default β2"),),
        {"x": (pn.Allowed("1.67", "5/3", "평균은 $1.67$"), pn.Allowed("2.5", "gone", "nowhere"))},
    )
    bare = pn.check_notebook(notebook(nb["cells"][0]["source"], ""), "x", allow)
    assert [n.text for n in bare.unmatched] == ["0.02", "300"]
    with_code = nb | {"cells": [nb["cells"][0], {**nb["cells"][1], "source": "f(0.02, 300)"}]}
    report = pn.check_notebook(with_code, "x", allow)
    assert report.unmatched == []
    assert report.count("code") == 2 and report.count("allow-list") == 2
    assert [e.number for e in report.stale] == ["2.5"]


def test_the_check_is_fast_and_reads_every_chapter() -> None:
    import time

    start = time.perf_counter()
    reports = [pn.check_chapter(path, ALLOW) for path in CHAPTERS]
    assert time.perf_counter() - start < 5.0
    assert all(len(r.support) > 50 for r in reports)
