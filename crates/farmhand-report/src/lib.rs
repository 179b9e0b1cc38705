//! farmhand-report: the farmhand view, one self-contained HTML page that
//! shows a plan as a person reads it: headline figures, a map of workers,
//! farms and the day's trips, fill rate by date, the unfilled slots with
//! their reasons and stand-ins, and every worker's schedule.
//!
//! The same page has two uses:
//!
//! - [`render_report`] writes a **report**: one HTML file with the problem and
//!   the solution embedded, viewable offline (`farmhand match --report`).
//! - [`page_html`] is the **web page** the server answers at `/`: the same
//!   view with an input area that sends a problem to the API and shows the
//!   answer.
//!
//! The view renders only from the Problem and Solution JSON of the wire
//! format, and makes no request to any other host: the page talks to the
//! farmhand API it was served by, the report to nothing at all (both carry a
//! Content-Security-Policy that makes the browser enforce it).
//!
//! ```
//! use farmhand::{solve, DateRange, Demand, Location, Problem, Worker};
//!
//! let problem = Problem {
//!     workers: vec![Worker::new(
//!         "w-samnye-1",
//!         Location::new(35.91, 127.07),
//!         vec![DateRange::new("2026-04-06", "2026-04-07")],
//!     )],
//!     demands: vec![Demand::new(
//!         "d-strawberry", "farm-samnye-3", Location::new(35.90, 127.08),
//!         "2026-04-06", "2026-04-07", 1,
//!     )],
//!     ..Problem::default()
//! };
//! let solution = solve(&problem)?;
//! let html = farmhand_report::render_report(&problem, &solution);
//! assert!(html.contains(r#"<script type="application/json" id="farmhand-data">"#));
//! assert!(html.contains("d-strawberry"));
//! # Ok::<(), farmhand::SolveError>(())
//! ```

use std::sync::OnceLock;

use farmhand::format::{Problem, Solution};
use serde::Serialize;

/// The page skeleton, with `{{NAME}}` holes filled by [`fill`].
const VIEW_HTML: &str = include_str!("../assets/view.html");
/// The view's styles, inlined into the page.
const VIEW_CSS: &str = include_str!("../assets/view.css");
/// The view's script, inlined into the page.
const VIEW_JS: &str = include_str!("../assets/view.js");

/// The Content-Security-Policy of a report file: no network access at all.
///
/// Inline script and style are allowed because the file is one document; the
/// view inserts data only as text (never as markup), so the policy's job here
/// is to forbid every request, which `default-src 'none'` does.
pub const REPORT_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'";

/// The Content-Security-Policy of the web page: requests only to the server
/// that served it. The server sends this as a header (with
/// `frame-ancestors 'none'`, which only a header can carry); the page also
/// carries it in a `<meta>` element.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'";

/// The embedded data of a report: exactly the wire format's two documents.
#[derive(Serialize)]
struct Embedded<'a> {
    problem: &'a Problem,
    solution: &'a Solution,
}

/// One HTML document showing `solution` of `problem`, with the view's CSS and
/// JavaScript inlined and both documents embedded as JSON in a
/// `<script type="application/json" id="farmhand-data">` element.
///
/// The file needs nothing else: open it from disk in any current browser.
/// Every `</` and `<!--` in the data is escaped, so no id or message can
/// close the script element or change how the browser parses it.
pub fn render_report(problem: &Problem, solution: &Solution) -> String {
    // Serialising the wire types cannot fail (string keys, finite or null
    // floats); an empty object would still give a page that says so.
    let json = serde_json::to_string(&Embedded { problem, solution })
        .unwrap_or_else(|_| "null".to_owned());
    let title = format!(
        "farmhand plan: {:.1}% filled, {} workers, {} demands",
        100.0 * solution.summary.fill_rate,
        solution.summary.workers,
        solution.summary.demands
    );
    fill(&[
        ("MODE", "report"),
        ("TITLE", &html_escape(&title)),
        ("CSP", REPORT_CSP),
        ("DATA", &escape_script_data(&json)),
    ])
}

/// The web page the server answers at `/`: the view in page mode, with an
/// input area (a problem JSON file or two CSV files, an API token, Match, and
/// downloads) and no data until the user sends a problem.
pub fn page_html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        fill(&[("MODE", "page"), ("TITLE", "farmhand"), ("CSP", PAGE_CSP), ("DATA", "null")])
    })
}

/// Fills the holes of the skeleton in one pass, so that text put into a hole
/// (the data above all) is never itself searched for holes.
fn fill(values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(
        VIEW_HTML.len()
            + VIEW_CSS.len()
            + VIEW_JS.len()
            + values.iter().map(|(_, v)| v.len()).sum::<usize>(),
    );
    let mut rest = VIEW_HTML;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            rest = &rest[open..];
            break;
        };
        let name = &after[..close];
        let value = match name {
            "CSS" => Some(VIEW_CSS),
            "JS" => Some(VIEW_JS),
            _ => values.iter().find(|(key, _)| *key == name).map(|(_, v)| *v),
        };
        match value {
            Some(value) => out.push_str(value),
            // Not a hole of ours: keep the text as it is.
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// Makes JSON text safe inside a `<script>` element: `</` becomes `<\/` (the
/// same string to a JSON parser) so nothing can close the element, and `<!--`
/// becomes `\u003c!--` so nothing can switch the HTML parser into its
/// escaped-script states. JSON has `<` only inside strings, where both
/// spellings mean the same characters.
fn escape_script_data(json: &str) -> String {
    json.replace("<!--", "\\u003c!--").replace("</", "<\\/")
}

/// Escapes text for an HTML element's content or a quoted attribute.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use farmhand::format::{DateRange, Demand, Location, Problem, Worker};

    use super::*;

    /// A problem whose ids try to break out of the data element, solved.
    fn hostile() -> (Problem, Solution) {
        let problem = Problem {
            workers: vec![Worker::new(
                "</script><script>alert(1)</script><!--",
                Location::new(35.91, 127.07),
                vec![DateRange::new("2026-04-06", "2026-04-06")],
            )],
            demands: vec![Demand::new(
                "d-</SCRIPT>",
                "farm-{{JS}}",
                Location::new(35.90, 127.08),
                "2026-04-06",
                "2026-04-06",
                2,
            )],
            ..Problem::default()
        };
        let solution = farmhand::solve(&problem).expect("a valid problem");
        (problem, solution)
    }

    /// The text of the data element, as a browser would cut it out: up to
    /// the first `</script` in any case.
    fn data_element(html: &str) -> &str {
        let open = r#"<script type="application/json" id="farmhand-data">"#;
        let start = html.find(open).expect("the data element") + open.len();
        let end = html[start..].to_ascii_lowercase().find("</script").expect("its end");
        &html[start..start + end]
    }

    #[test]
    fn a_worker_id_with_a_closing_script_tag_cannot_break_out() {
        let (problem, solution) = hostile();
        let html = render_report(&problem, &solution);
        let data = data_element(&html);
        assert!(!data.contains("<!--"), "{data}");
        // The element holds the whole document: unescaped, it is exactly the
        // JSON of the problem and the solution, and it parses as JSON.
        let exact =
            serde_json::to_string(&Embedded { problem: &problem, solution: &solution }).unwrap();
        assert_eq!(data.replace("<\\/", "</").replace("\\u003c!--", "<!--"), exact);
        let value: serde_json::Value = serde_json::from_str(data).expect("the data is JSON");
        assert_eq!(value["problem"]["workers"][0]["id"], problem.workers[0].id.as_str());
        assert_eq!(
            value["solution"]["assignments"][0]["worker_id"],
            problem.workers[0].id.as_str()
        );
        // The element ends where the skeleton ends it: the view's script
        // follows at once.
        let after = &html[html.find(data).unwrap() + data.len()..];
        assert!(
            after.starts_with("</script>\n<script>\n/* The farmhand view."),
            "{}",
            &after[..80]
        );
    }

    #[test]
    fn holes_are_filled_once_and_data_is_not_searched_for_holes() {
        let (problem, solution) = hostile();
        let html = render_report(&problem, &solution);
        assert!(!html.contains("{{CSS}}") && !html.contains("{{DATA}}"));
        assert!(html.contains(r#"data-mode="report""#));
        // `{{JS}}` in a farm id stays text: the script is inlined exactly once.
        assert_eq!(html.matches(VIEW_JS).count(), 1);
        assert!(data_element(&html).contains("farm-{{JS}}"));
    }

    #[test]
    fn the_page_has_no_data_and_allows_only_its_own_server() {
        let html = page_html();
        assert!(html.contains(r#"data-mode="page""#));
        assert_eq!(data_element(html), "null");
        assert!(html.contains("connect-src 'self'"));
        assert!(html.contains(r#"<meta charset="utf-8">"#));
    }

    #[test]
    fn the_assets_cannot_end_their_own_elements() {
        for (name, text, end) in
            [("view.css", VIEW_CSS, "</style"), ("view.js", VIEW_JS, "</script")]
        {
            assert!(!text.to_ascii_lowercase().contains(end), "{name} contains {end}");
            assert!(!text.contains("<!--"), "{name} contains <!--");
        }
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        let (problem, solution) = hostile();
        for html in [render_report(&problem, &solution), page_html().to_owned()] {
            let lower = html.to_ascii_lowercase();
            for needle in ["<script src", "@import", "src=\"http", "href=\"http"] {
                assert!(!lower.contains(needle), "found {needle:?}");
            }
            // CSS `url(...)`, but not the script's `URL.createObjectURL(`.
            let css_url = lower.match_indices("url(").any(|(at, _)| {
                !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            });
            assert!(!css_url, "found a CSS url(");
            // The one link element is the empty icon, which stops browsers
            // asking the server for /favicon.ico.
            assert_eq!(lower.matches("<link").count(), 1);
            assert!(lower.contains(r#"<link rel="icon" href="data:,">"#));
        }
    }
}
