// MathJax settings for the math that pymdownx.arithmatex marks (mkdocs.yml): only the
// elements of class "arithmatex" are typeset, with \( \) inline and \[ \] displayed.
// MathJax itself (tex-svg-full.js) is copied from the django-static-mathjax package at
// build time by docs/_ext/mathjax_files.py: the site needs no network to show formulas.
window.MathJax = {
  tex: {
    inline: [["\\(", "\\)"]],
    display: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// with the theme's instant navigation, typeset each page it loads
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax.typesetPromise) {
      window.MathJax.typesetPromise();
    }
  });
}
