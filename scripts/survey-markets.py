#!/usr/bin/env python3
"""Dev tool: survey the market names in the shared corpus against regions/markets tables.

    python3 scripts/survey-markets.py [--corpus DIR] [--out FILE] [--propose]

For every corpus file (../shared/corpus/article by default) it finds the
"unavailable markets" list (bulleted list in a `> [!NOTE]` alert, or pipe
table in a `>[!IMPORTANT]` alert), extracts each market name (the target and
the English source of bilingual `.sxs.md` files separately), normalises it
(html-unescape, trim, collapse whitespace, strip surrounding `*`, NFC,
case-fold) and resolves it through locales/<LOCALE>/regions.tsv, then
locales/en/regions.tsv, then the hand-kept locales/<LOCALE>/markets.tsv and
locales/en/markets.tsv.

Each localized name is paired with the English name it translates (same span
in bilingual files; same position in the English twin with the same
source_state from EXPECTED.tsv for plain files), which gives the code for any
unresolved name. --propose prints candidate markets.tsv lines. The report
also checks every file's resolved code set against EXPECTED.tsv.
"""

import argparse
import collections
import csv
import html
import os
import re
import sys
import unicodedata

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "article"))

SPAN = re.compile(
    r'<span data-ttu-id="[^"]*">(.*?)</span>\s*'
    r'<span class="sxs-lookup"><span data-stu-id="[^"]*">(.*?)</span></span>',
    re.S,
)
TAG = re.compile(r"<[^>]+>")
ALERT = re.compile(r"^\s*\[!(NOTE|IMPORTANT|WARNING|TIP|CAUTION)\]", re.I)


def norm(s):
    s = html.unescape(s)
    s = " ".join(s.split())
    s = s.strip("*").strip()
    s = unicodedata.normalize("NFC", s)
    return s.casefold()


def load_table(path):
    """name-normalised -> set(codes), plus raw lines, from a CODE\tName or Name\tCODE file."""
    table = collections.defaultdict(set)
    if not os.path.exists(path):
        return table
    aliases = os.path.basename(path) == "markets.tsv"
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            a, b = line.split("\t")
            code, name = (b, a) if aliases else (a, b)
            table[norm(name)].add(code)
    return table


def blockquotes(lines):
    """Yield lists of lines (with the leading '>' removed) of each blockquote."""
    cur = []
    for line in lines:
        m = re.match(r"^\s*>(.*)$", line)
        if m:
            cur.append(m.group(1))
        else:
            if cur:
                yield cur
            cur = []
    if cur:
        yield cur


def split_row(row):
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [c for c in re.split(r"(?<!\\)\|", row)]


def cell_pairs(cell):
    """(target, source) text of one cell or bullet; source None if not bilingual."""
    spans = SPAN.findall(cell)
    if spans:
        tgt = " ".join(TAG.sub("", t) for t, _ in spans)
        src = " ".join(TAG.sub("", s) for _, s in spans)
        return tgt, src
    return TAG.sub("", cell), None


def extract(text):
    """Return (kind, [(target, source)], notes) for the market list of one file."""
    notes = []
    for block in blockquotes(text.splitlines()):
        if not block or not ALERT.match(block[0]):
            continue
        rows = [l for l in block if l.strip().startswith("|")]
        bullets = [l for l in block if re.match(r"^\s*[*-]\s+\S", l)]
        if len(rows) >= 3:
            # header row, separator row, data rows: skip up to and including separator
            sep = next(i for i, r in enumerate(rows) if re.fullmatch(r"[\s|:-]+", r.strip()))
            out = []
            header = [cell_pairs(c)[0].strip() for c in split_row(rows[sep - 1])] if sep else []
            # column-major order (the English table is alphabetical down columns)
            data = [split_row(r) for r in rows[sep + 1:]]
            ncol = max(len(r) for r in data)
            for col in range(ncol):
                for r in data:
                    if col < len(r):
                        tgt, src = cell_pairs(r[col])
                        if norm(tgt) == "" and (src is None or norm(src) == ""):
                            continue
                        out.append((tgt, src))
            return "table", out, {"header": header}
        if len(bullets) >= 3:
            out = [cell_pairs(re.sub(r"^\s*[*-]\s+", "", b)) for b in bullets]
            return "bullets", out, {}
    return None, [], {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--out", default="/tmp/market-survey.txt")
    ap.add_argument("--propose", action="store_true", help="print candidate markets.tsv lines")
    args = ap.parse_args()

    expected = {}
    state_of = {}
    with open(os.path.join(args.corpus, "EXPECTED.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            expected[row["file"]] = set(filter(None, row["unavailable_markets"].split(",")))
            state_of[row["file"]] = row["source_state"]
    en_by_state = {state_of[f]: f for f in state_of if f.startswith("en--")}

    tables = {}

    def resolver(loc):
        if loc not in tables:
            L = os.path.join(ROOT, "locales")
            tables[loc] = (
                load_table(os.path.join(L, loc, "regions.tsv")),
                load_table(os.path.join(L, "en", "regions.tsv")),
                load_table(os.path.join(L, loc, "markets.tsv")),
                load_table(os.path.join(L, "en", "markets.tsv")),
            )
        reg, enreg, ali, enali = tables[loc]

        def resolve(name):
            n = norm(name)
            # aliases first: they are hand-checked and may override a wrong CLDR hit
            for how, t in (("alias", ali), ("alias", enali), ("cldr", reg), ("cldr", enreg)):
                if n in t:
                    return how, t[n]
            return None, set()
        return resolve

    files = sorted(f for f in os.listdir(args.corpus) if f.endswith(".md"))
    extracted = {}
    problems = []
    for fn in files:
        with open(os.path.join(args.corpus, fn), encoding="utf-8") as f:
            text = f.read()
        kind, pairs, info = extract(text)
        extracted[fn] = (kind, pairs, info)
        if kind is None:
            problems.append(f"{fn}: no market list found")

    # English twin names per source state (positional alignment for plain files)
    def english_names(fn):
        kind, pairs, _ = extracted[fn]
        if pairs and pairs[0][1] is not None:
            return [s for _, s in pairs]
        st = state_of.get(fn)
        twin = en_by_state.get(st)
        if twin is None:  # e.g. L4: same 106-market table as the last English state
            twin = "en--2023-06-30.md" if "en--2023-06-30.md" in extracted else None
        if twin is None:
            return None
        return [t for t, _ in extracted[twin][1]]

    # survey[locale][normname] = {"raw": set, "how": ..., "codes": ..., "suggest": Counter, "files": set}
    survey = collections.defaultdict(dict)
    lines_out = []
    mismatch = []
    for fn in files:
        kind, pairs, info = extracted[fn]
        loc = fn.split("--")[0]
        res_t, res_en = resolver(loc), resolver("en")
        eng = english_names(fn)
        if eng is not None and len(eng) != len(pairs):
            problems.append(f"{fn}: {len(pairs)} names but English twin has {len(eng)}; positional pairing off")
            eng = None
        codes = set()
        src_codes = set()
        for i, (tgt, src) in enumerate(pairs):
            en_name = eng[i] if eng else None
            en_codes = res_en(en_name)[1] if en_name is not None else set()
            for l, name, res, hint in ((loc, tgt, res_t, en_codes), ("en", src, res_en, set())):
                if name is None:
                    continue
                if l == "en" and name == tgt and loc == "en":
                    pass
                how, c = res(name)
                e = survey[l].setdefault(norm(name), {"raw": set(), "how": how, "codes": c,
                                                      "suggest": collections.Counter(), "files": set()})
                e["raw"].add(" ".join(html.unescape(name).split()).strip("*").strip())
                e["files"].add(fn)
                for h in hint:
                    e["suggest"][h] += 1
                if c and hint and not (c & hint):
                    mismatch.append(f"{fn}: {l} {name!r} resolves to {sorted(c)} but English twin {en_name!r} is {sorted(hint)}")
                if name is tgt:
                    codes |= c
                else:
                    src_codes |= c
        exp = expected.get(fn, set())
        status = "OK" if codes == exp else f"DIFF missing={sorted(exp - codes)} extra={sorted(codes - exp)}"
        lines_out.append(f"{fn}\t{kind}\t{len(pairs)} names\t{len(codes)} codes\t{status}")
        if src_codes and src_codes != exp:
            lines_out.append(f"{fn}\t(English source spans)\tDIFF missing={sorted(exp - src_codes)} extra={sorted(src_codes - exp)}")

    out = []
    out.append("# Market-name survey over %s" % args.corpus)
    out.append("# normalisation: html-unescape, trim, collapse whitespace, strip surrounding '*', NFC, casefold")
    out.append("# resolution order: locale markets.tsv, en markets.tsv, locale regions.tsv, en regions.tsv")
    out.append("")
    out.append("## Per locale")
    total_unres = 0
    proposals = []
    for loc in sorted(survey):
        ents = survey[loc]
        cl = sum(1 for e in ents.values() if e["how"] == "cldr")
        al = sum(1 for e in ents.values() if e["how"] == "alias")
        un = [k for k, e in ents.items() if e["how"] is None]
        total_unres += len(un)
        out.append(f"{loc}: names seen {len(ents)}, resolved via CLDR {cl}, resolved via alias {al}, unresolved {len(un)}")
    out.append("")
    out.append("## All names seen (locale, how, code, name variants, file count)")
    for loc in sorted(survey):
        for k, e in sorted(survey[loc].items()):
            out.append(f"{loc}\t{e['how'] or 'UNRESOLVED'}\t{','.join(sorted(e['codes'])) or '-'}"
                       f"\t{' | '.join(sorted(e['raw']))}\t{len(e['files'])} files")
    out.append("")
    out.append("## Names resolved via alias (locale, name, code)")
    for loc in sorted(survey):
        for k, e in sorted(survey[loc].items()):
            if e["how"] == "alias":
                out.append(f"{loc}\t{' | '.join(sorted(e['raw']))}\t{','.join(sorted(e['codes']))}")
    out.append("")
    out.append("## Unresolved names (locale, name, suggested code from English twin, files)")
    for loc in sorted(survey):
        for k, e in sorted(survey[loc].items()):
            if e["how"] is None:
                sug = ",".join(f"{c}x{n}" for c, n in e["suggest"].most_common())
                out.append(f"{loc}\t{' | '.join(sorted(e['raw']))}\t{sug or '?'}\t{len(e['files'])} files")
                raw = sorted(e["raw"])[0]
                code = e["suggest"].most_common(1)[0][0] if e["suggest"] else "??"
                proposals.append((loc, raw, code, len(e["suggest"]) > 1))
    out.append("")
    out.append("## CLDR/alias hits that disagree with the English twin")
    out.extend(sorted(set(mismatch)) or ["(none)"])
    out.append("")
    out.append("## Extraction problems")
    out.extend(problems or ["(none)"])
    out.append("")
    out.append("## Per file: resolved code set vs EXPECTED.tsv")
    out.extend(lines_out)
    out.append("")
    out.append(f"TOTAL unresolved: {total_unres}")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {args.out}; unresolved {total_unres}", file=sys.stderr)
    if args.propose:
        for loc, raw, code, ambiguous in proposals:
            print(f"{loc}\t{raw}\t{code}" + ("\t# AMBIGUOUS" if ambiguous else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
