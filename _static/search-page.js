/* The search page (search.html); Jupyter Book adds every .js file in _static/ to every page, and
   on the other pages this does nothing.

   1. Opened from disk (file://), the browser refuses the requests Sphinx makes for the result
      summaries (each result page fetched as text), and every refusal is a console error. The
      results themselves need no request; only the summaries are switched off there.
   2. One search box: the page's own. The buttons that open the search dialog (top bar, sidebar,
      article header) are hidden here; Ctrl+K focuses the page's box (the theme does that).
   3. Readable summaries. Sphinx (searchtools.js) quotes 240 characters of the result page's
      text: with the page's contents list, its code cells and the TeX source of its formulas.
      Here the text is the article only, without the title, contents, code and outputs, and a
      formula becomes plain text (\(\hat m_t\) → m̂ₜ; a long display formula is left out). The
      quote starts at the first word of the query; for a synonym from the glossary
      (KOREAN_SYNONYMS, written into language_data.js by _ext/korean_search.py) at the book's
      word, which is highlighted.
   4. One result per page: the glossary is found once as the page and once as the term (an index
      entry); the best-scored result of each page is kept (objects of the API page stay apart).
   5. Sphinx adds the result titles after MathJax has typeset the page, so without this they
      would show raw TeX such as \(m_t\): typeset them as they arrive. */
(() => {
  "use strict";
  const SEARCH_PAGE =
    typeof DOCUMENTATION_OPTIONS !== "undefined" && DOCUMENTATION_OPTIONS.pagename === "search";

  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }

  if (SEARCH_PAGE) {
    const style = document.createElement("style");
    style.textContent = ".search-button__button { display: none !important; }";
    document.head.appendChild(style);
  }

  /* --- TeX to plain text ------------------------------------------------------------------- */

  // "name value name value …" → {name: value}; zip("ab", "xy") → {a: "x", b: "y"}.
  const pairs = (text) => {
    const words = text.trim().split(/\s+/);
    const out = {};
    for (let k = 0; k + 1 < words.length; k += 2) out[words[k]] = words[k + 1];
    return out;
  };
  const zip = (keys, values) => {
    const out = {};
    [...keys].forEach((key, k) => (out[key] = [...values][k]));
    return out;
  };
  const TEX_GREEK = pairs(`
    alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ
    iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π rho ρ sigma σ tau τ upsilon υ phi ϕ varphi φ
    chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Phi Φ Psi Ψ Omega Ω`);
  const TEX_SYMBOLS = {
    ...pairs(`
      cdot · times × div ÷ pm ± mp ∓ le ≤ leq ≤ ge ≥ geq ≥ ne ≠ neq ≠ approx ≈ sim ∼ simeq ≃
      propto ∝ equiv ≡ infty ∞ nabla ∇ partial ∂ sum ∑ prod ∏ int ∫ in ∈ notin ∉ to →
      rightarrow → leftarrow ← Rightarrow ⇒ Leftrightarrow ⇔ mapsto ↦ odot ⊙ otimes ⊗ oplus ⊕
      circ ∘ ldots … cdots ⋯ dots … lVert ‖ rVert ‖ Vert ‖ | ‖ lvert | rvert | langle ⟨
      rangle ⟩ lfloor ⌊ rfloor ⌋ lceil ⌈ rceil ⌉ forall ∀ exists ∃ ll ≪ gg ≫ subset ⊂
      subseteq ⊆ cup ∪ cap ∩ emptyset ∅ ell ℓ top ⊤ star ⋆ ast ∗ prime ′ { { } } % % & & # #
      _ _ mid | vert |`),
    ",": " ", ";": " ", ":": " ", " ": " ", "!": "", quad: " ", qquad: " ",
  };
  const TEX_FUNCTIONS = new Set(
    `log ln exp max min arg argmin argmax sup inf lim sin cos tan tanh det dim sgn sign diag
     Var var`.split(/\s+/),
  );
  const TEX_TEXT_ARG = new Set(
    `text textrm textit textbf mathrm mathit mathbf mathsf mathtt mathcal mathbb mathfrak
     boldsymbol bm operatorname mbox`.split(/\s+/),
  );
  const TEX_ACCENTS = {
    hat: "\u0302", widehat: "\u0302", bar: "\u0304", overline: "\u0304", tilde: "\u0303",
    widetilde: "\u0303", dot: "\u0307", ddot: "\u0308", vec: "\u20d7",
  };
  const TEX_DROP_ARG = new Set(["label", "tag", "hspace", "vspace", "phantom"]);
  const SUPERSCRIPTS = zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzT′*",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ′*",
  );
  const SUBSCRIPTS = zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ");
  // One symbol, perhaps with accents and scripts (m̂ₜ), or a number: no parentheses needed.
  const SCRIPT_CHARS = new Set([...Object.values(SUPERSCRIPTS), ...Object.values(SUBSCRIPTS)]);
  const isSimple = (s) => {
    const bare = [...s.normalize("NFD").replace(/\p{M}/gu, "")].filter((c) => !SCRIPT_CHARS.has(c));
    return /^(\p{L}|[\d.]+)$/u.test(bare.join("")) || /^\(.*\)$/.test(s);
  };

  /* A TeX formula (without its delimiters) as plain text, or null if it has an environment. */
  const texToText = (tex) => {
    if (/\\begin\b/.test(tex)) return null;
    let i = 0;
    const skipSpaces = () => {
      while (i < tex.length && /\s/.test(tex[i])) i++;
    };
    const script = (text, table, mark) => {
      const chars = [...text.replace(/\s+/g, "")];
      if (chars.length && chars.every((c) => table[c])) return chars.map((c) => table[c]).join("");
      return chars.length > 1 ? `${mark}(${text.trim()})` : mark + text.trim();
    };
    const group = (close) => {
      let out = "";
      while (i < tex.length && tex[i] !== close) {
        const c = tex[i];
        if (c === "^" || c === "_") {
          i++;
          out += script(arg(), c === "^" ? SUPERSCRIPTS : SUBSCRIPTS, c);
        } else {
          out += atom();
        }
      }
      if (i < tex.length) i++; // the closing brace
      return out;
    };
    const arg = () => {
      skipSpaces();
      if (tex[i] === "{") {
        i++;
        return group("}");
      }
      return atom();
    };
    const optional = () => {
      skipSpaces();
      if (tex[i] !== "[") return "";
      const end = tex.indexOf("]", i);
      const text = end < 0 ? "" : tex.slice(i + 1, end);
      i = end < 0 ? tex.length : end + 1;
      return text;
    };
    const atom = () => {
      const c = tex[i];
      if (c === "{") {
        i++;
        return group("}");
      }
      if (c === "}") {
        i++;
        return "";
      }
      if (c === "&") {
        i++;
        return " ";
      }
      if (c === "~") {
        i++;
        return " ";
      }
      if (c !== "\\") {
        i++;
        return c;
      }
      const name = /^\\([A-Za-z]+|.)/.exec(tex.slice(i));
      if (!name) {
        i++;
        return "";
      }
      i += name[0].length;
      const cmd = name[1];
      if (cmd === "\\") return " ";
      if (cmd in TEX_GREEK) return TEX_GREEK[cmd];
      if (cmd in TEX_SYMBOLS) return TEX_SYMBOLS[cmd];
      if (TEX_FUNCTIONS.has(cmd)) return cmd;
      if (TEX_TEXT_ARG.has(cmd)) return arg();
      if (cmd in TEX_ACCENTS) {
        const base = arg();
        return base.length === 1 ? base + TEX_ACCENTS[cmd] : base;
      }
      if (TEX_DROP_ARG.has(cmd)) {
        arg();
        return "";
      }
      if (["frac", "dfrac", "tfrac"].includes(cmd)) {
        const wrap = (s) => (isSimple(s) ? s : `(${s})`);
        const num = arg().trim();
        const den = arg().trim();
        return `${wrap(num)}/${wrap(den)}`;
      }
      if (cmd === "sqrt") {
        const index = optional();
        const body = arg().trim();
        const root = (index ? script(index, SUPERSCRIPTS, "^") : "") + "√";
        return root + (isSimple(body) ? body : `(${body})`);
      }
      return ""; // \left, \right, \big, \limits, … and anything unknown
    };
    const text = group(null);
    return text.replace(/\s+/g, " ").trim();
  };

  /* --- The text of a result page ----------------------------------------------------------- */

  // What is not prose: the page's own contents lists, navigation, code cells (with their
  // outputs and their "show code" toggles).
  const NOT_PROSE = [
    ".headerlink", "script", "style", "nav", ".toctree-wrapper", ".contents", "#jb-print-docs-body",
    ".onlyprint", "div.cell", ".cell_input", ".cell_output", ".output", "div.highlight", "pre",
    ".copybtn",
    ".prev-next-area", ".bd-header-article", "footer", "mjx-container", ".MathJax",
  ].join(", ");
  const BLOCKS = "p, li, dt, dd, td, th, caption, h1, h2, h3, h4, h5, h6, div, section, table";
  const MAX_FORMULA = 80;

  const mathAsText = (el) => {
    const source = el.textContent.trim();
    const display = el.tagName !== "SPAN";
    const tex = source.replace(/^(\\\(|\\\[|\$\$)/, "").replace(/(\\\)|\\\]|\$\$)$/, "");
    const text = texToText(tex);
    if (text === null || text.length > MAX_FORMULA || (display && text.length > MAX_FORMULA / 2))
      return " ";
    return display ? ` ${text} ` : text;
  };

  const articleText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const main = doc.querySelector('[role="main"]');
    if (!main) return "";
    let root = main.querySelector("article") || main;
    let title = true; // the page title is the result's link: leave it out of the summary
    if (anchor) {
      const target = doc.getElementById(decodeURIComponent(anchor.slice(1)));
      if (target && main.contains(target)) {
        title = false;
        root = target;
        if (target.tagName === "DT") {
          // A glossary term: its term lines (one <dt> each) and its definition.
          root = doc.createElement("div");
          let el = target;
          while (el && el.tagName === "DT") {
            root.appendChild(el.cloneNode(true));
            el = el.nextElementSibling;
          }
          for (; el && el.tagName === "DD"; el = el.nextElementSibling)
            root.appendChild(el.cloneNode(true));
        }
      }
    }
    const clone = root.cloneNode(true);
    clone.querySelectorAll(NOT_PROSE + (title ? ", h1" : "")).forEach((el) => el.remove());
    clone.querySelectorAll(".math").forEach((el) => el.replaceWith(mathAsText(el)));
    clone.querySelectorAll(BLOCKS).forEach((el) => el.append(" "));
    return clone.textContent
      .replace(/\\[()[\]]|\\[A-Za-z]+|\$\$/g, " ") // whatever TeX is left outside a formula
      .replace(/\s+/g, " ")
      .trim();
  };

  /* --- The summary of a result --------------------------------------------------------------- */

  const SUMMARY_LENGTH = 240;
  const SUMMARY_BEFORE = 60;
  // Subscript and superscript digits count as digits when a word is looked for (β₁ is β1).
  const plainDigits = (s) =>
    s
      .replace(/[₀-₉]/g, (c) => String(c.charCodeAt(0) - 0x2080))
      .replace(/[⁰¹²³⁴-⁹]/g, (c) => String("⁰¹²³⁴⁵⁶⁷⁸⁹".indexOf(c)));

  const HANGUL = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff]/u;
  const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Where a needle first occurs; a Latin needle only at the start of a word ("ep" is not in
  // "step"), a Hangul one anywhere (Korean glues particles, and compounds, to a word).
  const firstOf = (haystack, needles) => {
    let best = null;
    for (const needle of needles) {
      if (!needle) continue;
      const lower = plainDigits(needle.toLowerCase());
      const at = HANGUL.test(lower)
        ? haystack.indexOf(lower)
        : haystack.search(new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(lower)}`, "u"));
      if (at >= 0 && (best === null || at < best.at)) best = { at, needle };
    }
    return best;
  };

  // The words of the query as typed (Sphinx passes them stemmed: "eps" becomes "ep").
  const typedWords = () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const split = typeof splitQuery === "function" ? splitQuery : (q) => q.split(/\s+/);
    return split(query.trim()).map((w) => w.toLowerCase());
  };

  const bookWords = (keywords) => {
    const synonyms = typeof KOREAN_SYNONYMS !== "undefined" ? KOREAN_SYNONYMS : {};
    const out = [];
    for (const k of keywords)
      if (Object.prototype.hasOwnProperty.call(synonyms, k)) out.push(...synonyms[k]);
    return out;
  };

  const makeSummary = (htmlText, keywords, anchor) => {
    const text = articleText(htmlText, anchor);
    if (text === "") return null;
    const haystack = plainDigits(text.toLowerCase());
    const typed = [...new Set([...typedWords(), ...keywords])];
    const book = bookWords(keywords);
    const found = firstOf(haystack, typed) || firstOf(haystack, book);
    // Start at the beginning of the sentence of the match if it is near, else at a word.
    let start = found ? Math.max(found.at - SUMMARY_BEFORE, 0) : 0;
    if (start > 0) {
      const before = text.slice(start, found.at);
      const sentence = before.search(/[.!?]\s(?!.*[.!?]\s)/);
      const space = before.indexOf(" ");
      if (sentence >= 0) start += sentence + 2;
      else if (space >= 0) start += space + 1;
    }
    let end = Math.min(start + SUMMARY_LENGTH, text.length);
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      if (space > start + SUMMARY_LENGTH / 2) end = space;
    }
    const quote =
      (start > 0 ? "…" : "") + text.slice(start, end).trim() + (end < text.length ? "…" : "");

    const summary = document.createElement("p");
    summary.classList.add("context");
    // Found by a synonym: highlight the book's word (Sphinx highlights only the words typed).
    const marks = found && !typed.includes(found.needle) ? book.filter((w) => w) : [];
    if (!marks.length) {
      summary.textContent = quote;
      return summary;
    }
    const pattern = new RegExp(`(${marks.map(escapeRegExp).join("|")})`, "giu");
    quote.split(pattern).forEach((part, k) => {
      if (k % 2 === 1) {
        const span = summary.appendChild(document.createElement("span"));
        span.classList.add("highlighted");
        span.textContent = part;
      } else if (part) {
        summary.appendChild(document.createTextNode(part));
      }
    });
    return summary;
  };

  /* --- One result per page ------------------------------------------------------------------- */

  // Results are [docname, title, anchor, description, score, filename], best last.
  const onePerPage = (results) => {
    const seen = new Set();
    const kept = [];
    for (let k = results.length - 1; k >= 0; k--) {
      const [docName, , , description] = results[k];
      if (!description) {
        if (seen.has(docName)) continue;
        seen.add(docName);
      }
      kept.push(results[k]);
    }
    return kept.reverse();
  };

  // Registered before searchtools.js registers Search.init, so it runs first.
  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Search === "undefined") return;
    Search.htmlToText = articleText;
    Search.makeSearchSummary = makeSummary;
    const performSearch = Search._performSearch;
    Search._performSearch = (...args) => onePerPage(performSearch(...args));
  });

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
})();
