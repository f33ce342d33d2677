// The print edition's layout check (_ext/print_edition.py, LAYOUT_CHECK), run in the page laid
// out at the width of the A4 text block, before printing. It shrinks (CSS zoom) a display
// formula, table or code block wider than its column, down to minScale, then lists what still
// overflows or is clipped, every visible control and every MathJax error.
// Returns {shrunk: [...], problems: [...]}.
(minScale) => {
  const main = document.querySelector("body");
  const limit = main.getBoundingClientRect().right + 0.5;
  const where = (el) => {
    const doc = el.closest(".pe-doc");
    const text = (el.textContent || el.getAttribute("alt") || "").replace(/\s+/g, " ").trim();
    return (doc ? doc.id : "front") + ": <" + el.tagName.toLowerCase() + "> " + text.slice(0, 60);
  };
  const shrunk = [], problems = [];
  // zoom scales everything in the block, padding and rules included, as a reduced copy would.
  const fit = (el, natural) => {
    const avail = el.parentElement.getBoundingClientRect().width;
    if (natural <= avail + 0.5) return;
    const scale = Math.max(minScale, Math.floor((avail / natural) * 100) / 100);
    el.style.zoom = String(scale);
    shrunk.push(where(el) + " (" + Math.round(scale * 100) + "%)");
  };
  for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
    fit(m, (m.querySelector("mjx-math") || m).getBoundingClientRect().width);
  }
  for (const el of document.querySelectorAll("table")) fit(el, el.getBoundingClientRect().width);
  for (const pre of document.querySelectorAll("pre")) {
    fit(pre, pre.getBoundingClientRect().width * pre.scrollWidth / Math.max(1, pre.clientWidth));
    if (pre.scrollWidth > pre.clientWidth + 0.5) {
      // Still too wide at the smallest scale: wrap the lines, a long token anywhere.
      pre.style.whiteSpace = "pre-wrap";
      pre.style.overflowWrap = "anywhere";
    }
    if (pre.scrollWidth > pre.clientWidth + 0.5) problems.push("too wide: " + where(pre));
  }
  const candidates = "mjx-container, img, table, pre, svg, .cell_output, dl, p, li";
  for (const el of document.querySelectorAll(candidates)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > limit) {
      const overshoot = Math.round(box.right) + " > " + Math.round(limit) + " px";
      problems.push("too wide: " + where(el) + " (" + overshoot + ")");
    }
  }
  // A box that scrolls on screen would cut its content on paper (MathJax's hidden MathML for
  // screen readers is clipped on purpose).
  for (const el of document.querySelectorAll(".pe-doc *:not(mjx-assistive-mml)")) {
    const style = getComputedStyle(el);
    if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      problems.push("clipped: " + where(el) + " ." + el.className + " in ." + el.parentElement.className + " (" + el.scrollWidth + " > " + el.clientWidth + " px)");
    }
  }
  const controls = "input, button, select, textarea, .jupyter-widgets, .widget-box";
  for (const el of document.querySelectorAll(controls)) {
    const style = getComputedStyle(el);
    if (el.getClientRects().length > 0 && style.visibility !== "hidden") {
      problems.push("visible control: " + where(el));
    }
  }
  for (const el of document.querySelectorAll("mjx-merror, .MathJax_Error")) {
    problems.push("formula error: " + where(el));
  }
  return {shrunk, problems};
}
