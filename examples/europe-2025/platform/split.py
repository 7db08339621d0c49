#!/usr/bin/env python3
"""Splits ../base.toml into the parties of a platform round (this folder).

Run from anywhere: `python3 examples/europe-2025/platform/split.py`. Every block of
base.toml (a [[facility]] with its lines and expansions, a [[demand]], ...) goes, with
the comments written above and inside it, to the party that owns it; section banners
are copied to every file that receives a block of their section. The crate
`caisson-platform` checks (test `europe_example_assembles_to_base`) that the parts
assemble back to base.toml's scenario.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "base.toml")

# (id, name, kind, actor, group, buys_for, blocs, facilities)
ORGS = [
    ("eu-jp", "European Commission / EDA joint procurement of ammunition for Ukraine", "coordinator", None, None, ["EUJ"], ["EU"], []),
    ("nato-nspa", "NATO Support and Procurement Agency (speaks for the allied embargoes)", "coordinator", None, None, [], ["NATO"], []),
    ("cze", "Czech Republic: Ministry of Defence (Czech ammunition initiative)", "state", "CZE", None, [], [], []),
    ("deu", "Germany: Federal Ministry of Defence / BAAINBw", "state", "DEU", None, [], [], []),
    ("esp", "Spain: Ministry of Defence", "state", "ESP", None, [], [], []),
    ("fra", "France: Direction generale de l'armement", "state", "FRA", None, [], [], []),
    ("gbr", "United Kingdom: Ministry of Defence", "state", "GBR", None, [], [], []),
    ("nor", "Norway: Ministry of Defence", "state", "NOR", None, [], [], []),
    ("pol", "Poland: Ministry of National Defence", "state", "POL", None, [], [], []),
    ("srb", "Serbia: Ministry of Defence and export licensing", "state", "SRB", None, [], [], []),
    ("che", "Switzerland: SECO (War Material Act licensing)", "state", "CHE", None, [], [], []),
    ("kor", "Republic of Korea: DAPA", "state", "KOR", None, [], [], []),
    ("ukr", "Ukraine: Ministry of Defence / Ministry of Strategic Industries", "state", "UKR", None, [], [], []),
    ("usa", "United States: Department of the Army (JMC)", "state", "USA", None, [], [], []),
    # Producers: one organisation per company and actor; a group's national subsidiaries share `group`.
    ("rheinmetall-de", "Rheinmetall Waffe Munition (Germany)", "producer", "DEU", "rheinmetall", [], [], ["rhm-unterluess", "rhm-de-other"]),
    ("nitrochemie-de", "Nitrochemie Aschau (Rheinmetall 55%)", "producer", "DEU", "rheinmetall", [], [], ["nitrochemie-aschau"]),
    ("asap-explosives", "ASAP explosives projects (aggregate of several EU producers)", "producer", "DEU", None, [], [], ["eu-explosives-other"]),
    ("rheinmetall-es", "Rheinmetall Expal Munitions (Spain)", "producer", "ESP", "rheinmetall", [], [], ["rhm-expal"]),
    ("rheinmetall-lt", "Rheinmetall Defence Lietuva", "producer", "LTU", "rheinmetall", [], [], ["rhm-baisogala"]),
    ("nitrochemie-ch", "Nitrochemie Wimmis (Rheinmetall 55%)", "producer", "CHE", "rheinmetall", [], [], ["nitrochemie-wimmis"]),
    ("csg-es", "CSG / MSM Fabrica de Municiones de Granada", "producer", "ESP", "csg", [], [], ["csg-fmg"]),
    ("csg-sk", "CSG / MSM Group Slovakia (ZVS holding, VOP Novaky)", "producer", "SVK", "csg", [], [], ["csg-zvs"]),
    ("csg-us", "MSM North America (CSG)", "producer", "USA", "csg", [], [], ["msm-iowa-fac"]),
    ("csg-ua", "CSG - Bronetekhnika joint venture (Ukraine)", "producer", "UKR", "csg", [], [], ["ukr-csg-155"]),
    ("knds-fr", "KNDS France", "producer", "FRA", None, [], [], ["knds-bourges"]),
    ("thales-fr", "Thales LAS France", "producer", "FRA", None, [], [], ["thales-lfsa"]),
    ("eurenco-fr", "Eurenco (France)", "producer", "FRA", "eurenco", [], [], ["eurenco-bergerac"]),
    ("eurenco-se", "Eurenco Bofors (Sweden)", "producer", "SWE", "eurenco", [], [], ["eurenco-karlskoga"]),
    ("explosia", "Explosia a.s. (state-owned)", "producer", "CZE", None, [], [], ["explosia"]),
    ("pgz", "Polska Grupa Zbrojeniowa (Dezamet, Mesko, Nitro-Chem)", "producer", "POL", None, [], [], ["pgz", "nitro-chem"]),
    ("vmz", "VMZ Sopot", "producer", "BGR", None, [], [], ["vmz-sopot"]),
    ("nammo-dk", "Nammo Denmark", "producer", "DNK", "nammo", [], [], ["nammo-elling"]),
    ("nammo-no", "Nammo Raufoss", "producer", "NOR", "nammo", [], [], ["nammo-raufoss"]),
    ("bae-uk", "BAE Systems Land (UK)", "producer", "GBR", None, [], [], ["bae-uk"]),
    ("chemring-no", "Chemring Nobel", "producer", "NOR", None, [], [], ["chemring-nobel"]),
    ("krusik", "Krusik Valjevo", "producer", "SRB", None, [], [], ["krusik"]),
    ("sloboda", "Sloboda Cacak", "producer", "SRB", None, [], [], ["sloboda"]),
    ("mb-namenska", "Milan Blagojevic - Namenska Lucani", "producer", "SRB", None, [], [], ["srb-lucani"]),
    ("trayal", "Trayal Korporacija (and other Serbian explosives makers)", "producer", "SRB", None, [], [], ["srb-trayal"]),
    ("ukroboronprom", "Ukrainian Defense Industry (Ukroboronprom) and private plants", "producer", "UKR", None, [], [], ["ukr-mortar", "ukr-artillery", "ukr-energetics"]),
    ("us-army-jmc", "US Army Joint Munitions Command (GOCO plants)", "producer", "USA", None, [], [], ["us-155", "us-energetics"]),
    ("kor-industry", "Poongsan and Hanwha Aerospace (aggregate)", "producer", "KOR", None, [], [], ["kor-155"]),
    ("row-holders", "Third-country holders of stocks (Czech initiative sources)", "producer", "ROW", None, [], [], ["row-stocks"]),
]
OBSERVERS = [("ep-sede", "European Parliament: Subcommittee on Security and Defence")]
COORDINATOR = "eu-jp"

facility_owner = {f: o[0] for o in ORGS for f in o[7]}
buyer_owner = {}
scope_owner = {}
for o in ORGS:
    if o[2] == "state":
        buyer_owner[o[3]] = o[0]
        scope_owner[o[3]] = o[0]
    if o[2] == "coordinator":
        for a in o[5]:
            buyer_owner[a] = o[0]
        for b in o[6]:
            scope_owner[b] = o[0]

HEADER = re.compile(r"^\[\[?([A-Za-z_.]+)\]\]?\s*(#.*)?$")
MAJOR = re.compile(r"^# -{20,}")
MINOR = re.compile(r"^# ---")


def field(block, name):
    for line in block:
        m = re.match(r'^%s\s*=\s*"([^"]*)"' % name, line)
        if m:
            return m.group(1)
    return None


def split():
    lines = open(BASE).read().split("\n")
    preamble = []  # before [scenario]
    blocks = []  # (kind, lines, major, minor)
    pending = []
    major, minor = [], []
    current = None
    for line in lines:
        m = HEADER.match(line)
        top = m and "." not in m.group(1)
        if top:
            # Pending comments: up to the first banner line they belong to the
            # previous block; a banner starts a section.
            first = next((i for i, l in enumerate(pending) if MINOR.match(l)), None)
            if first is None:
                lead = pending
            else:
                (current[1] if current else preamble).extend(pending[:first])
                rest = pending[first:]
                if MAJOR.match(rest[0]):
                    # The major banner runs to its closing dash line.
                    close = next((i for i in range(1, len(rest)) if MAJOR.match(rest[i])), len(rest) - 1)
                    major = rest[: close + 1]
                    rest = rest[close + 1 :]
                    minor = []
                # A minor banner: the rest up to the block's own comment run
                # (the comment lines directly above the header).
                while rest and rest[0] == "":
                    rest = rest[1:]
                cut = len(rest)
                while cut > 0 and rest[cut - 1].startswith("#"):
                    cut -= 1
                if rest and MINOR.match(rest[0]):
                    minor = rest
                    lead = []
                else:
                    lead = rest
                if rest and MINOR.match(rest[0]):
                    minor = rest
            if current is None and not blocks:
                preamble.extend(lead if first is None else [])
                lead = [] if first is None else lead
            current = (m.group(1), lead + [line], list(major), list(minor))
            blocks.append(current)
            pending = []
        elif line.strip() == "" or line.lstrip().startswith("#"):
            pending.append(line)
        else:
            if current is None:
                preamble.extend(pending)
                preamble.append(line)
            else:
                current[1].extend(pending)
                current[1].append(line)
            pending = []
    if current:
        current[1].extend(pending)
    return preamble, blocks


def strip_blank(block):
    while block and block[-1].strip() == "":
        block = block[:-1]
    while block and block[0].strip() == "":
        block = block[1:]
    return block


def write(path, head, parts):
    out = list(head)
    last_major, last_minor = None, None
    for kind, block, major, minor in parts:
        if major and major != last_major:
            out += ["", *strip_blank(major)]
            last_major, last_minor = major, None
        if minor and minor != last_minor:
            out += ["", *strip_blank(minor)]
            last_minor = minor
        out += [""] + strip_blank(block)
    text = "\n".join(out).strip("\n") + "\n"
    open(path, "w").write(text)


def main():
    preamble, blocks = split()
    files = {"reference": [], "contracts": []}
    for o in ORGS:
        files[o[0]] = []
    for kind, block, major, minor in blocks:
        if kind in ("scenario", "actor", "product", "route"):
            files["reference"].append((kind, block, major, minor))
        elif kind == "facility":
            files[facility_owner[field(block, "id")]].append((kind, block, major, minor))
        elif kind == "demand":
            files[buyer_owner[field(block, "buyer")]].append((kind, block, major, minor))
        elif kind == "policy":
            files[scope_owner[field(block, "scope")]].append((kind, block, major, minor))
        elif kind == "contract":
            owner = facility_owner[field(block, "facility")]
            rewritten = []
            for line in block:
                if re.match(r'^facility\s*=', line):
                    rewritten.append(re.sub(r'"([^"]*)"', lambda m: '"%s:%s"' % (owner, m.group(1)), line, count=1))
                    rewritten.append('supplier = "%s"' % owner)
                else:
                    rewritten.append(line)
            files["contracts"].append((kind, rewritten, major, minor))
        elif kind == "assumption":
            # Ranges of assumed figures are the analyst's (`caisson sensitivity`),
            # like [[uncertainty]]: part of no party's contribution.
            continue
        else:
            raise SystemExit("unexpected table " + kind)
    generated = "# Generated from ../base.toml by split.py: edit base.toml and run split.py again."
    write(
        os.path.join(HERE, "reference.toml"),
        [strip_blank(preamble)[0] if False else l for l in strip_blank(preamble)]
        + ["#", "# The round's reference part (spec platform.md section 2): [scenario], actors, products, routes.", generated],
        files["reference"],
    )
    write(
        os.path.join(HERE, "contracts.toml"),
        [
            "# The contracts of ../base.toml as signed contracts of the round: each names its supplier",
            "# organisation and the supplier's facility by its qualified id ORG:X.",
            generated,
        ],
        files["contracts"],
    )
    for o in ORGS:
        head = [
            "# Contribution of %s (%s, %s%s)." % (o[0], o[1], o[2], ", actor " + o[3] if o[3] else ""),
            "# Figures, tags (F firm, C claim, E estimate, A allegation) and ASSUMPTION marks as in ../../base.toml.",
            generated,
        ]
        write(os.path.join(HERE, "fragments", o[0] + ".toml"), head, files[o[0]])
    # organisations.toml
    out = [
        "# The organisations of the European round (spec platform.md section 1). Producers are one",
        "# organisation per company and actor; the national subsidiaries of a group share `group`, so",
        "# that they count as one producer in every aggregate. Nitrochemie (Rheinmetall 55% / RUAG 45%)",
        "# is counted in the Rheinmetall group (ASSUMPTION: the majority owner controls it).",
        generated,
        "",
        "[round]",
        'coordinator = "%s"' % COORDINATOR,
    ]
    def q(v):
        return '"%s"' % v
    for o in ORGS:
        out += ["", "[[organisation]]", "id = %s" % q(o[0]), "name = %s" % q(o[1]), "kind = %s" % q(o[2])]
        if o[3]:
            out.append("actor = %s" % q(o[3]))
        if o[4]:
            out.append("group = %s" % q(o[4]))
        if o[5]:
            out.append("buys_for = [%s]" % ", ".join(q(a) for a in o[5]))
        if o[6]:
            out.append("blocs = [%s]" % ", ".join(q(a) for a in o[6]))
    for oid, name in OBSERVERS:
        out += ["", "[[organisation]]", "id = %s" % q(oid), "name = %s" % q(name), 'kind = "observer"']
    open(os.path.join(HERE, "organisations.toml"), "w").write("\n".join(out) + "\n")


main()
