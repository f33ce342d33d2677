/* The book's page behaviour (Jupyter Book adds every .js file in _static/ to every page).

   1. Scroll boxes a keyboard can reach. A formula or a table wider than the column scrolls
      inside its own box (book.css). Such a box gets tabindex="0", a Korean label and the class
      book-scrolls (edge shadows), but only while it really overflows: a box that fits is no
      extra stop for the Tab key. Checked again after MathJax typesets, on every resize of the
      window and whenever a box or its content changes size (a late web font).
   2. Figures open at full size. Every figure of a notebook output becomes a link to its image;
      a click or tap shows it at its natural size in a dialog that scrolls and closes with the
      button, Escape or a click on the picture. Without JavaScript the link still opens the PNG.
   3. The contents button works on a phone. The page has two "책 목차" buttons (.primary-toggle):
      one in the top bar, hidden below 992 px, and one above the article. Both themes wire up
      only the first, so on a phone the visible one did nothing: it now presses the first. */
(() => {
  "use strict";

  const SCROLLERS = [
    ".adamlib-table-scroll",
    ".pst-scrollable-table-container",
    "div.math mjx-container[display='true']",
    "span.math",
    "div.cell_output .output",
    "div.highlight pre",
  ].join(",");

  let watcher = null; // a ResizeObserver, once the page has loaded
  const watched = new WeakSet();

  function markScrollers() {
    for (const box of document.querySelectorAll(SCROLLERS)) {
      if (watcher && !watched.has(box)) {
        watched.add(box);
        watcher.observe(box);
        if (box.firstElementChild) watcher.observe(box.firstElementChild);
      }
      // A box inside a folded cell is not drawn (no width): not a scroller until unfolded.
      const overflows = box.clientWidth > 0 && box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.classList.contains("book-scrolls")) {
        box.classList.add("book-scrolls");
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("role")) {
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", "가로로 스크롤되는 영역");
        }
      } else if (!overflows && box.classList.contains("book-scrolls")) {
        box.classList.remove("book-scrolls");
        box.removeAttribute("tabindex");
        if (box.getAttribute("aria-label") === "가로로 스크롤되는 영역") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    }
  }

  function openLightbox(src, alt) {
    const dialog = document.createElement("dialog");
    dialog.className = "book-lightbox";
    dialog.setAttribute("aria-label", "그림 크게 보기");
    const frame = document.createElement("div");
    frame.className = "book-lightbox-frame";
    const img = document.createElement("img");
    img.src = src;
    img.alt = alt;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "닫기";
    frame.append(img);
    dialog.append(frame, close);
    document.body.append(dialog);
    const done = () => dialog.close();
    close.addEventListener("click", done);
    img.addEventListener("click", done);
    dialog.addEventListener("close", () => dialog.remove());
    dialog.showModal();
    close.focus();
  }

  function zoomableFigures() {
    for (const img of document.querySelectorAll(".bd-article div.cell_output img")) {
      if (img.closest("a") || img.closest(".animation")) continue;
      const link = document.createElement("a");
      link.className = "book-zoom";
      link.href = img.getAttribute("src");
      link.title = "그림을 원래 크기로 보기";
      img.replaceWith(link);
      link.append(img);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        openLightbox(img.src, img.alt);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    // docutils marks the bibliography role="list", but its entries are doc-biblioentry, which
    // ARIA 1.3 retired and axe does not accept as list items: a list of non-items confuses
    // screen readers, so the entries are read as plain blocks instead.
    for (const list of document.querySelectorAll(".citation-list[role='list']")) {
      list.removeAttribute("role");
    }
    zoomableFigures();
    markScrollers();
    const [wired, ...others] = document.querySelectorAll(".primary-toggle");
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        wired.click();
      });
    }
    let timer = null;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(markScrollers, 150);
    });
    if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
      window.MathJax.startup.promise.then(markScrollers);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollers);
    // A box can also start or stop overflowing without a resize of the window: a web font
    // that arrives after the first check (document.fonts.ready may already have resolved
    // before the font was even asked for), an image, a typeset formula. Watching each box and
    // what it holds catches all of these.
    if (window.ResizeObserver) {
      let frame = 0;
      watcher = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(markScrollers);
      });
      markScrollers();
    }
    // Unfolding a code cell (a <details>) or a solution can reveal a wide box.
    document.addEventListener("toggle", () => setTimeout(markScrollers, 50), true);
    document.addEventListener("click", (event) => {
      if (event.target.closest("button.toggle-button, .dropdown summary, summary")) {
        setTimeout(markScrollers, 300);
      }
    });
  });
})();
