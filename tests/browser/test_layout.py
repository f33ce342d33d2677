"""How every page looks to a reader, at two widths and in both colour schemes.

Every page of the built site is opened at 1280×900 (a desktop window) and 390×844 (a phone: touch,
two device pixels per CSS pixel), in light and in dark mode (the reader's system preference; the
site follows it, ``default_mode: auto``), once per mode (fixture ``rendered``, see conftest.py).
After MathJax has typeset everything and the fonts have loaded, one probe measures the page, and
each test below reads one kind of its findings, for every page of one mode, and lists them all:

- the theme really is the one the system asks for (``<html data-theme>``);
- nothing is wider than the screen (and if something is, which elements stick out and how far);
- no formula is cut off: by an ``overflow: hidden`` box, or inside a box that scrolls but cannot
  be reached from the keyboard (a scroller needs ``tabindex="0"``);
- an equation number does not overlap its formula (at 1280);
- table cells are visibly apart (padding or a border), numbers in ``adamlib-table`` are
  right-aligned in tabular figures, and table text has contrast (in dark mode, on no near-white
  background);
- Korean text breaks between words, not inside them (``word-break: keep-all``), and a long token
  can still wrap (``overflow-wrap: anywhere`` or ``break-word``);
- no nbval marker (``NBVAL_…``) shows;
- no console error, no failed request and no request to another host.

A failure names the page, the mode (``[390-dark]``), the element (a short selector, with the id
of the nearest section) and the measured numbers.
"""

from __future__ import annotations

from typing import Any

import pytest

MODES = ("1280-light", "1280-dark", "390-light", "390-dark")
DESKTOP_MODES = ("1280-light", "1280-dark")
DARK_MODES = ("1280-dark", "390-dark")

# The measurements of one page: a list of {check, element, detail}. Pixels are CSS pixels.
LAYOUT = r"""(cfg) => {
  const TOL = 1; // px of sub-pixel rounding
  const MIN_GAP = 8; // px between the text of two adjacent table cells
  const root = document.documentElement;
  const issues = [];
  const px = (x) => `${Math.round(x * 10) / 10}px`;
  const clean = (s, n = 50) => {
    s = (s || "").replace(/\s+/g, " ").trim();
    return s.length > n ? s.slice(0, n - 1) + "…" : s;
  };
  const IGNORED_CLASSES = /^(notranslate|nohighlight|docutils|container|simple)$/;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) return `${s}#${el.id}`;
    const cls = [...el.classList].filter((c) => !IGNORED_CLASSES.test(c)).slice(0, 2);
    if (cls.length) s += "." + cls.join(".");
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (a.id) return `${s} in #${a.id}`;
    }
    return s;
  };
  const add = (check, el, detail) =>
    issues.push({ check, element: el ? describe(el) : "", detail });
  const shown = (el) => el.getClientRects().length > 0;
  const visible = (el) =>
    shown(el) && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  const style = (el) => getComputedStyle(el);
  // Overflow applies to boxes, not to inline or display:contents elements.
  const clips = (cs) =>
    cs.display !== "inline" && cs.display !== "contents" &&
    (cs.overflowX !== "visible" || cs.overflowY !== "visible");
  const clipBox = (el) => {
    const r = el.getBoundingClientRect();
    const left = r.left + el.clientLeft;
    const top = r.top + el.clientTop;
    return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
  };
  const union = (rects) => {
    let box = null;
    for (const r of rects) {
      if (r.width === 0 && r.height === 0) continue;
      box = box
        ? { left: Math.min(box.left, r.left), top: Math.min(box.top, r.top),
            right: Math.max(box.right, r.right), bottom: Math.max(box.bottom, r.bottom) }
        : { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }
    return box;
  };
  const scrolls = (v) => v === "auto" || v === "scroll";

  // --- theme -------------------------------------------------------------------------------
  const theme = root.dataset.theme;
  if (theme !== cfg.scheme) {
    add("theme", root, `data-theme is ${JSON.stringify(theme ?? null)} (data-mode ` +
      `${JSON.stringify(root.dataset.mode ?? null)}) but the system asks for ${cfg.scheme}`);
  }

  // --- page width --------------------------------------------------------------------------
  const avail = Math.min(root.clientWidth, cfg.width);
  if (root.scrollWidth > avail) {
    const underClip = new Map();
    const clipped = (el) => {
      // Whether an ancestor box (below <body>) clips el's overflow, or el is fixed.
      const parent = el.parentElement;
      if (!parent || parent === document.body || parent === root) return false;
      if (underClip.has(parent)) return underClip.get(parent);
      const cs = style(parent);
      const value = cs.position === "fixed" || clips(cs) || clipped(parent);
      underClip.set(parent, value);
      return value;
    };
    const beyond = new Set();
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right + scrollX > avail + TOL && (r.width > 0 || r.height > 0)) beyond.add(el);
    }
    const outermost = [...beyond]
      .filter((el) => !beyond.has(el.parentElement) && style(el).position !== "fixed" &&
        !clipped(el))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .sort((a, b) => b.r.right - a.r.right);
    const widest = outermost.slice(0, 5).map(({ el, r }) =>
      `${describe(el)} (right edge ${px(r.right + scrollX)}, width ${px(r.width)}` +
      `${clean(el.textContent, 30) ? `, "${clean(el.textContent, 30)}"` : ""})`);
    add("width", null, `the page is ${root.scrollWidth}px wide on a ${avail}px screen ` +
      `(window.innerWidth ${innerWidth}); sticking out: ` +
      (widest.length ? widest.join("; ") : "(no single element found)") +
      (outermost.length > 5 ? `; and ${outermost.length - 5} more` : ""));
  }

  // --- formulas ----------------------------------------------------------------------------
  const tex = new Map();
  try {
    for (const item of MathJax.startup.document.math) {
      if (item.typesetRoot) tex.set(item.typesetRoot, item.math);
    }
  } catch (e) { /* no MathJax on this page: the containers are counted below anyway */ }
  const formula = (c) => `"${clean(tex.get(c) ?? c.textContent, 60)}"`;
  // The box of everything MathJax laid out for a formula. Not the boxes of single glyphs
  // (mjx-c): an accent's box is its advance width, wider than its ink and than the zero-width
  // box MathJax sets it in; nor what a stretchy delimiter's extender (mjx-ext) clips itself.
  const drawn = (c) => {
    const math = c.querySelector(":scope > mjx-math");
    if (!math) return union([c.getBoundingClientRect()]);
    const parts = math.querySelectorAll("*:not(mjx-c):not(mjx-ext *)");
    return union([math, ...parts].map((e) => e.getBoundingClientRect()));
  };
  // The first box from `start` up that cuts `box` off, unless it is a scroller that a keyboard
  // can reach (tabindex >= 0), which ends the search: what it holds can be scrolled into view.
  const cutOff = (start, box) => {
    for (let el = start; el && el !== root; el = el.parentElement) {
      const cs = style(el);
      if (!clips(cs)) continue;
      const b = clipBox(el);
      const over = {
        right: box.right - b.right, left: b.left - box.left,
        bottom: box.bottom - b.bottom, top: b.top - box.top,
      };
      const x = Math.max(over.right, over.left) > TOL && cs.overflowX !== "visible";
      const y = Math.max(over.bottom, over.top) > TOL && cs.overflowY !== "visible";
      if (!x && !y) continue;
      const value = x ? cs.overflowX : cs.overflowY;
      if (scrolls(value) && el.tabIndex >= 0) return null;
      return { el, x, y, over, value, box: b };
    }
    return null;
  };
  const cutMessage = (what, box, cut) => {
    const sides = Object.entries(cut.over)
      .filter(([side, v]) => v > TOL && (side === "left" || side === "right" ? cut.x : cut.y))
      .map(([side, v]) => `${px(v)} on the ${side}`).join(", ");
    const axis = cut.x ? "overflow-x" : "overflow-y";
    const why = scrolls(cut.value)
      ? `inside ${describe(cut.el)} (${axis}: ${cut.value}, ${px(cut.box.right - cut.box.left)}` +
        ` wide) that scrolls but cannot be reached by keyboard (tabindex ${cut.el.tabIndex})`
      : `by ${describe(cut.el)} (${axis}: ${cut.value}, ` +
        `${px(cut.box.right - cut.box.left)}×${px(cut.box.bottom - cut.box.top)})`;
    return `${what} (${px(box.right - box.left)}×${px(box.bottom - box.top)}) cut off ${sides} ` +
      why;
  };
  // Formulas a reader can see (not in a collapsed or hidden block: wholly outside the box
  // that cuts them off, as in a folded dropdown, counts as hidden, not as cut off).
  const containers = [...document.querySelectorAll("mjx-container")].filter(visible);
  for (const c of containers) {
    const box = drawn(c);
    if (!box) continue;
    const cut = cutOff(c, box);
    const whollyOut = cut && (box.right <= cut.box.left || box.left >= cut.box.right ||
      box.bottom <= cut.box.top || box.top >= cut.box.bottom);
    if (cut && !whollyOut) {
      add(cut.x ? "math-clip" : "math-clip-y", c, cutMessage(`formula ${formula(c)}`, box, cut));
    }
  }

  // --- equation numbers (at desktop width) -------------------------------------------------
  if (cfg.width >= 1000) {
    for (const c of containers.filter((c) => c.hasAttribute("display"))) {
      const labels = [...c.querySelectorAll("mjx-labels mjx-mtd")].map((el) => ({
        el, text: el.textContent, box: union([...el.querySelectorAll("mjx-c")]
          .map((g) => g.getBoundingClientRect())) ?? union([el.getBoundingClientRect()]),
      }));
      const div = c.closest("div.math");
      const eqno = div && div.querySelector(":scope > .eqno");
      if (eqno) {
        const range = document.createRange();
        const rects = [];
        for (const node of eqno.childNodes) {
          if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
          range.selectNodeContents(node);
          rects.push(...range.getClientRects());
        }
        const box = union(rects);
        if (box) {
          labels.push({ el: eqno, text: clean(eqno.textContent.replace("#", "")), box });
          const cut = cutOff(eqno.parentElement, box);
          const what = `equation number "${labels.at(-1).text}"`;
          if (cut) add("math-clip", eqno, cutMessage(what, box, cut));
        }
      }
      if (!labels.length) continue;
      // The part of the formula a reader sees: its glyphs, within every box that clips them.
      let view = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
      for (let el = c; el && el !== root; el = el.parentElement) {
        if (!clips(style(el))) continue;
        const b = clipBox(el);
        view = { left: Math.max(view.left, b.left), top: Math.max(view.top, b.top),
                 right: Math.min(view.right, b.right), bottom: Math.min(view.bottom, b.bottom) };
      }
      const glyphs = [...c.querySelectorAll("mjx-c")].filter((g) => !g.closest("mjx-labels"));
      for (const label of labels) {
        let worst = null;
        for (const g of glyphs) {
          const r = g.getBoundingClientRect();
          const left = Math.max(r.left, view.left, label.box.left);
          const right = Math.min(r.right, view.right, label.box.right);
          const top = Math.max(r.top, view.top, label.box.top);
          const bottom = Math.min(r.bottom, view.bottom, label.box.bottom);
          if (right - left > 0.5 && bottom - top > 0.5 && (!worst || right - left > worst.w)) {
            worst = { w: right - left, r };
          }
        }
        if (worst) {
          add("math-label", label.el, `equation number "${clean(label.text, 12)}" ` +
            `(x ${px(label.box.left)}–${px(label.box.right)}) overlaps formula ${formula(c)} ` +
            `by ${px(worst.w)} (a glyph at x ${px(worst.r.left)}–${px(worst.r.right)})`);
        }
      }
    }
  }

  // --- tables ------------------------------------------------------------------------------
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rgbaCache = new Map();
  const rgba = (color) => {
    // Any CSS colour (rgb(), color(srgb …), oklch(), …) as [r, g, b, a] in 0–255, 0–1.
    if (!rgbaCache.has(color)) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "rgba(0, 0, 0, 0)";
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      rgbaCache.set(color, [r, g, b, a / 255]);
    }
    return rgbaCache.get(color);
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((k) => top[k] * a + bottom[k] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(style(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const luminance = (c) => {
    const lin = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const rgbText = (c) => `rgb(${c.slice(0, 3).map(Math.round).join(", ")})`;
  const borderBetween = (a, b) => {
    const visible = (cs, side) =>
      parseFloat(cs[`border${side}Width`]) > 0 &&
      !["none", "hidden"].includes(cs[`border${side}Style`]) &&
      rgba(cs[`border${side}Color`])[3] > 0;
    return visible(style(a), "Right") || visible(style(b), "Left");
  };
  // 0.9, −1.2e-3, 1,024, 2.5 × 10−6, 12 %: a cell that holds one number.
  const NUMBER = new RegExp("^[+\\-−±]?(\\d[\\d,]*(\\.\\d+)?|\\.\\d+)([eE][+\\-−]?\\d+)?" +
    "(\\s*[×x]\\s*10\\s*[+\\-−]?\\d+)?\\s*%?$");
  // Style checks also cover what is folded away now: a reader may unfold it.
  const tables = [
    ...document.querySelectorAll("article table.adamlib-table, article table.table"),
  ];
  for (const table of tables) {
    const head = clean(table.rows[0]
      ? [...table.rows[0].cells].map((c) => clean(c.textContent)).join(" | ") : "", 40);
    const cells = [...table.querySelectorAll("th, td")].filter((c) => c.closest("table") === table);
    const tcs = style(table);
    const spacing = tcs.borderCollapse === "separate"
      ? parseFloat(tcs.borderSpacing.split(" ")[0]) || 0 : 0;
    // Adjacent cells: the text of one ends padding-right + spacing + padding-left before the next.
    let pairs = 0, close = 0, worst = null;
    for (const row of table.rows) {
      const rowCells = [...row.cells];
      for (let k = 0; k + 1 < rowCells.length; k++) {
        const a = rowCells[k], b = rowCells[k + 1];
        pairs += 1;
        const gap = parseFloat(style(a).paddingRight) + spacing + parseFloat(style(b).paddingLeft);
        if (gap < MIN_GAP && !borderBetween(a, b)) {
          close += 1;
          if (!worst || gap < worst.gap) worst = { gap, a, b };
        }
      }
    }
    if (close) {
      const a = style(worst.a), b = style(worst.b);
      add("table-gap", table, `("${head}"): ${close} of ${pairs} adjacent cells are closer ` +
        `than ${MIN_GAP}px with no border between them; closest: ` +
        `"${clean(worst.a.textContent, 20)}" | "${clean(worst.b.textContent, 20)}", ` +
        `${px(worst.gap)} (padding-right ${a.paddingRight} + border-spacing ${px(spacing)} + ` +
        `padding-left ${b.paddingLeft})`);
    }
    if (table.classList.contains("adamlib-table")) {
      const numbers = cells.filter((c) => c.tagName === "TD" && NUMBER.test(clean(c.textContent)));
      const left = numbers.filter((c) => !["right", "end"].includes(style(c).textAlign));
      const proportional = numbers.filter(
        (c) => !style(c).fontVariantNumeric.includes("tabular-nums"));
      const problems = [];
      if (left.length) {
        problems.push(`${left.length} not right-aligned (text-align: ` +
          `${style(left[0]).textAlign}, e.g. "${clean(left[0].textContent, 20)}")`);
      }
      if (proportional.length) {
        problems.push(`${proportional.length} without tabular figures (font-variant-numeric: ` +
          `${style(proportional[0]).fontVariantNumeric}, e.g. ` +
          `"${clean(proportional[0].textContent, 20)}")`);
      }
      if (problems.length) {
        add("table-numbers", table, `("${head}"): of ${numbers.length} numeric cells, ` +
          problems.join("; "));
      }
    }
    let light = [], low = [];
    for (const cell of cells.filter((c) => c.textContent.trim())) {
      const cs = style(cell);
      const bg = background(cell);
      const fg = over(rgba(cs.color), bg);
      const ratio = contrast(fg, bg);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight, 10) >= 700);
      if (ratio < (large ? 3 : 4.5)) low.push({ cell, ratio, fg, bg });
      if (cfg.scheme === "dark" && luminance(bg) > 0.6) light.push({ cell, bg });
    }
    if (light.length) {
      const { cell, bg } = light[0];
      add("table-dark", table, `("${head}"): ${light.length} of ${cells.length} cells are on a ` +
        `near-white background in dark mode: ${rgbText(bg)} (luminance ` +
        `${luminance(bg).toFixed(2)}), e.g. "${clean(cell.textContent, 20)}"`);
    }
    if (low.length) {
      low.sort((x, y) => x.ratio - y.ratio);
      const { cell, ratio, fg, bg } = low[0];
      add("table-contrast", table, `("${head}"): ${low.length} of ${cells.length} cells have ` +
        `text contrast below 4.5:1; worst ${ratio.toFixed(2)}:1, ${rgbText(fg)} on ` +
        `${rgbText(bg)}, "${clean(cell.textContent, 20)}"`);
    }
  }

  // --- Korean line breaking ----------------------------------------------------------------
  const HANGUL = /[\uac00-\ud7a3]/;
  const blocks = [...document.querySelectorAll(
    "article p, article h1, article h2, article h3, article h4, article h5, article h6, " +
    "article li, article td, article th")]
    .filter((el) => HANGUL.test(el.textContent) &&
      !el.closest("pre, .highlight, mjx-container"));
  const summarize = (bad, property, wanted) => {
    if (!bad.length) return null;
    const kinds = {};
    for (const el of bad) {
      const tag = el.tagName.toLowerCase();
      kinds[tag] = (kinds[tag] || 0) + 1;
    }
    const values = [...new Set(bad.map((el) => style(el)[property]))].join("/");
    const name = property === "wordBreak" ? "word-break" : "overflow-wrap";
    return `${name} is ${values} (want ${wanted}) on ${bad.length} of ${blocks.length} ` +
      `blocks with Hangul (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(", ")}), ` +
      `first: ${describe(bad[0])} "${clean(bad[0].textContent, 30)}"`;
  };
  const breaking = [
    summarize(blocks.filter((el) => style(el).wordBreak !== "keep-all"), "wordBreak", "keep-all"),
    summarize(blocks.filter((el) => !["anywhere", "break-word"].includes(style(el).overflowWrap)),
      "overflowWrap", "anywhere or break-word"),
  ].filter(Boolean);
  if (breaking.length) add("keep-all", null, breaking.join("; "));

  // --- nbval markers -----------------------------------------------------------------------
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, noscript")) continue;
    const at = node.textContent.indexOf("NBVAL_");
    if (at >= 0) {
      const line = node.textContent.slice(Math.max(0, at - 10), at + 30);
      add("nbval", parent, `shows "${clean(line, 40)}"` + (shown(parent) ? "" : " (hidden now)"));
    }
  }
  return { issues, formulas: containers.length, tables: tables.length, blocks: blocks.length };
}"""


def probe_layout(page: Any, mode: str) -> dict[str, Any]:
    """Run the measurements of ``LAYOUT`` on an open page."""
    width, scheme = mode.split("-")
    return page.evaluate(LAYOUT, {"width": int(width), "scheme": scheme})


PAGE_PROBES = {"layout": (10, MODES, probe_layout)}


def findings(results: list[Any], *checks: str) -> list[str]:
    """Every issue of the given checks on every page, as ``page [mode] element: detail``."""
    lines: list[str] = []
    for result in results:
        layout = result.probes.get("layout")
        if layout is None:
            lines.append(f"{result.where}: not measured: {'; '.join(result.errors)}")
            continue
        for issue in layout["issues"]:
            if issue["check"] in checks:
                element = f" {issue['element']}" if issue["element"] else ""
                lines.append(f"{result.where}{element}: {issue['detail']}")
    return lines


def check(lines: list[str], what: str) -> None:
    """Fail with every line, counted: ``{n} {what}:`` then one line each."""
    if lines:
        pytest.fail(f"{len(lines)} {what}:\n" + "\n".join(lines), pytrace=False)


@pytest.mark.parametrize("mode", MODES)
def test_the_theme_follows_the_system(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "theme")
    check(lines, "pages in the wrong colour scheme")


@pytest.mark.parametrize("mode", MODES)
def test_no_page_is_wider_than_the_screen(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "width")
    check(lines, "pages wider than the screen")


@pytest.mark.parametrize("mode", MODES)
def test_no_formula_is_cut_off(rendered: Any, mode: str) -> None:
    results = rendered(mode)
    lines = findings(results, "math-clip", "math-clip-y")
    counted = sum(r.probes["layout"]["formulas"] for r in results if "layout" in r.probes)
    assert counted, "no formula found on any page"
    check(lines, f"formulas cut off (of {counted})")


@pytest.mark.parametrize("mode", DESKTOP_MODES)
def test_equation_numbers_do_not_overlap_formulas(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "math-label")
    check(lines, "equation numbers over their formula")


@pytest.mark.parametrize("mode", MODES)
def test_table_cells_are_visibly_apart(rendered: Any, mode: str) -> None:
    results = rendered(mode)
    assert sum(r.probes["layout"]["tables"] for r in results if "layout" in r.probes)
    lines = findings(results, "table-gap")
    check(lines, "tables with cells run together")


@pytest.mark.parametrize("mode", MODES)
def test_numbers_in_tables_line_up(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "table-numbers")
    check(lines, "tables with misaligned numbers")


@pytest.mark.parametrize("mode", MODES)
def test_table_text_has_contrast(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "table-dark", "table-contrast")
    check(lines, "tables with poor contrast")


@pytest.mark.parametrize("mode", MODES)
def test_korean_breaks_between_words(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "keep-all")
    check(lines, "pages that break Korean words inside words")


@pytest.mark.parametrize("mode", MODES)
def test_no_nbval_marker_shows(rendered: Any, mode: str) -> None:
    lines = findings(rendered(mode), "nbval")
    check(lines, "nbval markers shown")


@pytest.mark.parametrize("mode", MODES)
def test_pages_load_cleanly_and_offline(rendered: Any, mode: str) -> None:
    lines: list[str] = []
    for result in rendered(mode):
        lines += [f"{result.where}: {e}" for e in result.errors]
        lines += [f"{result.where}: console error: {m}" for m in result.console_errors]
        lines += [f"{result.where}: failed request: {m}" for m in result.failed]
        lines += [f"{result.where}: request to another host (blocked): {u}" for u in result.blocked]
    check(lines, "load problems")
