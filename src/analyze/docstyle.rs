//! Docstring style detection: Google, NumPy, Sphinx/reST, Epytext or plain, from the section
//! markers each style uses.

use super::report::Docstring;

/// Classifies a docstring's text (already unquoted).
pub fn describe(text: &str) -> Docstring {
    Docstring { style: style(text), summary: text.trim().lines().next().unwrap_or("").trim().to_string() }
}

fn style(text: &str) -> &'static str {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let has = |pred: &dyn Fn(&str) -> bool| lines.iter().any(|l| pred(l));
    if has(&|l| {
        [":param", ":type", ":return", ":rtype", ":raises", ":raise", ":ivar", ":var", ":keyword"]
            .iter()
            .any(|p| l.starts_with(p))
    }) {
        return "sphinx";
    }
    if has(&|l| {
        ["@param", "@type", "@return", "@rtype", "@raise", "@ivar", "@keyword"].iter().any(|p| l.starts_with(p))
    }) {
        return "epytext";
    }
    // NumPy: a section title underlined with dashes on the next line.
    let numpy = lines
        .windows(2)
        .any(|pair| NUMPY_SECTIONS.contains(&pair[0]) && pair[1].len() >= 3 && pair[1].chars().all(|c| c == '-'));
    if numpy {
        return "numpy";
    }
    if has(&|l| GOOGLE_SECTIONS.iter().any(|s| l.strip_prefix(s).is_some_and(|rest| rest == ":"))) {
        return "google";
    }
    "plain"
}

const NUMPY_SECTIONS: &[&str] = &[
    "Parameters",
    "Returns",
    "Yields",
    "Raises",
    "See Also",
    "Notes",
    "Examples",
    "Attributes",
    "Methods",
    "Other Parameters",
    "Warns",
    "References",
];

const GOOGLE_SECTIONS: &[&str] = &[
    "Args",
    "Arguments",
    "Returns",
    "Return",
    "Yields",
    "Raises",
    "Attributes",
    "Example",
    "Examples",
    "Note",
    "Notes",
    "Keyword Args",
    "Keyword Arguments",
    "Todo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_style_is_recognised() {
        assert_eq!(style("Add.\n\nArgs:\n    a: first\n"), "google");
        assert_eq!(style("Add.\n\nParameters\n----------\na : int\n"), "numpy");
        assert_eq!(style("Add.\n\n:param a: first\n:returns: sum\n"), "sphinx");
        assert_eq!(style("Add.\n\n@param a: first\n"), "epytext");
        assert_eq!(style("Add two numbers."), "plain");
    }
}
