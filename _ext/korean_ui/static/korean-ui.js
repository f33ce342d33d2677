/* The Korean interface, for what the theme and the extensions write from JavaScript
   (_ext/korean_ui.py adds this file to every page, after their scripts).

   1. sphinx-copybutton: its own table of messages by page language has no Korean; add it and
      switch to it before the buttons are made (they are made once the page has loaded).
   2. sphinx-togglebutton: its folding buttons (the exercises' solutions) are named by the hint
      they show ("펼치기" / "접기", set in _ext/korean_ui.py), instead of the English
      "Toggle hidden content", and the name follows the hint as the button is used.
   3. pydata-sphinx-theme's colour-mode button: its name says which mode is on, as its icon
      shows, so that what is seen is part of what a screen reader reads (WCAG 2.5.3).
   4. The search page: Sphinx's Korean catalogue (translations.js, loaded before this file)
      words the two result summaries stiffly and speaks of "categories" the page does not
      have; Documentation.addTranslations merges these over it. */
(() => {
  "use strict";

  const COPY = {
    copy: "복사",
    copy_to_clipboard: "클립보드에 복사",
    copy_success: "복사했습니다!",
    copy_failure: "복사하지 못했습니다",
  };
  const SEARCH = {
    "Search finished, found ${resultCount} page(s) matching the search query.":
      "검색어와 일치하는 페이지를 ${resultCount}개 찾았습니다.",
    "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories.":
      "검색어와 일치하는 페이지가 없습니다. 철자가 맞는지 확인하거나 다른 낱말로 검색해 보세요.",
  };

  // 4. Sphinx's documentation tools (doctools.js), on every page.
  if (typeof Documentation === "object" && typeof Documentation.addTranslations === "function" && Documentation.LOCALE === "ko") {
    Documentation.addTranslations({ locale: "ko", plural_expr: "0", messages: SEARCH });
  }

  // 1. `messages`, `locale`, `iconCopy` and `iconCheck` are copybutton.js's top-level bindings.
  if (typeof messages === "object" && typeof locale === "string" && document.documentElement.lang === "ko") {
    const before = messages[locale];
    messages.ko = COPY;
    if (typeof iconCopy === "string") {
      iconCopy = iconCopy.replace(`<title>${before.copy_to_clipboard}</title>`, `<title>${COPY.copy_to_clipboard}</title>`);
    }
    if (typeof iconCheck === "string") {
      iconCheck = iconCheck.replace(`<title>${before.copy_success}</title>`, `<title>${COPY.copy_success}</title>`);
    }
    locale = "ko";
  }

  const iconTitle = (icon) => {
    const title = icon.getAttribute("title") || icon.querySelector("title")?.textContent || "";
    return title.trim();
  };

  const labelThemeButtons = () => {
    const mode = document.documentElement.dataset.mode || "auto";
    for (const button of document.querySelectorAll(".theme-switch-button")) {
      button.dataset.koreanUiLabel ??= button.getAttribute("aria-label") || "";
      const icon = button.querySelector(`.theme-switch[data-mode="${mode}"]`);
      const current = icon ? iconTitle(icon) : "";
      const base = button.dataset.koreanUiLabel;
      button.setAttribute("aria-label", current ? `${base}: ${current}` : base);
    }
  };

  const labelToggleButton = (button) => {
    const hint = button.dataset.toggleHint;
    if (hint) button.setAttribute("aria-label", hint);
  };

  const start = () => {
    for (const button of document.querySelectorAll("button.toggle-button")) {
      labelToggleButton(button);
      new MutationObserver(() => labelToggleButton(button)).observe(button, {
        attributes: true,
        attributeFilter: ["data-toggle-hint"],
      });
    }
    labelThemeButtons();
    new MutationObserver(labelThemeButtons).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-mode"],
    });
  };

  // Listeners run in the order they were added: this runs after togglebutton's.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
