/* The search page (search.html); Jupyter Book adds every .js file in _static/ to every page, and
   on the other pages this does nothing.

   1. Opened from disk (file://), the browser refuses the requests Sphinx makes for the result
      summaries (each result page fetched as text), and every refusal is a console error. The
      results themselves need no request; only the summaries are switched off there.
   2. Sphinx adds the result titles and summaries after MathJax has typeset the page, so without
      this they would show raw TeX such as \(m_t\): typeset them as they arrive. */
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}

document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("search-results");
  if (!results || !window.MathJax || !window.MathJax.startup) return;
  MathJax.startup.promise.then(() => {
    let timer = null;
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        observer.disconnect();
        MathJax.typesetPromise([results])
          .catch((err) => console.warn("MathJax in search results:", err))
          .finally(() => observer.observe(results, { childList: true, subtree: true }));
      }, 100);
    });
    observer.observe(results, { childList: true, subtree: true });
  });
});
