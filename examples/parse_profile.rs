//! Profiling aid for the parser: parses every file of a folder three times.
//! With a second argument, runs pulldown-cmark parse + HTML instead, the
//! baseline. Count instructions with
//! `valgrind --tool=callgrind target/release/examples/parse_profile DIR [x]`.

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        files.push((
            p.display().to_string(),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    let mut n = 0;
    for _ in 0..3 {
        for (p, t) in &files {
            if std::env::args().nth(2).is_some() {
                let o = pulldown_cmark::Options::ENABLE_TABLES
                    | pulldown_cmark::Options::ENABLE_GFM
                    | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
                    | pulldown_cmark::Options::ENABLE_TASKLISTS;
                let mut html = String::new();
                pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(t, o));
                n += html.len();
            } else {
                n += rulebook::docfx::parse_article(p, t).map_or(0, |d| d.sections.len());
            }
        }
    }
    println!("{n}");
}
