#!/usr/bin/env python3
"""Checks of the HTML report (-f html) as a browser sees it; run by
html-browser.test.  Standard library only.

  html-check.py static PAGE            nothing fetched, nothing run
  html-check.py dom DOM JSON           the DOM chromium built (--dump-dom)
                                       against the JSON report of the same run
  html-check.py png PNG                a screenshot that is not blank
  html-check.py cap PAGE JSON          a --flows all page of one capture of more
                                       than 200 connections

static: no <script>, <link>, <iframe>, <img>, <object>, no src or href
outside the page (only "#..." links), no url() or @import in the style,
no http(s) URL at all but the SVG namespace name, and a Content Security
Policy that forbids fetching anything.

dom: one section per input; in each, one <article class="conn"> per
connection with findings (at most 200 per file), each holding exactly one
<svg class="ladder">; in every ladder, the packets marked evidence are
exactly the drawn packets the connection's findings cite, and every
internal link (#...) has its target.

cap: 200 connections drawn, every flagged one among them (the most severe
first), in order of id, and a note counting the rest.

png: decodes the PNG (8-bit RGB or RGBA, not interlaced) and wants many
distinct colours and a share of non-white pixels."""
import json
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

LIST_MAX = 200
SVG_NS = "http://www.w3.org/2000/svg"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []      # (tag, attrs) in order
        self.section = None  # the current capture section's id
        self.h2 = None
        self.sections = {}   # id -> file path (its h2)
        self.article = None
        self.articles = {}   # id -> {"ladders": n, "pkts": set, "evidence": set, "section": id}
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        cls = (a.get("class") or "").split()
        if "id" in a:
            self.ids.add(a["id"])
        if a.get("href"):
            self.links.append(a["href"])
        if tag == "section" and "capture" in cls:
            self.section = a["id"]
            self.sections[self.section] = ""
        if tag == "h2" and self.section is not None and self.sections[self.section] == "":
            self.h2 = self.section
        if tag == "article" and "conn" in cls:
            self.article = {"ladders": 0, "pkts": set(), "evidence": set(),
                            "section": self.section}
            self.articles[a["id"]] = self.article
        if self.article is not None:
            if tag == "svg" and "ladder" in cls:
                self.article["ladders"] += 1
            if tag == "g" and "pkt" in cls:
                pkt = int(a["data-pkt"])
                self.article["pkts"].add(pkt)
                if "evidence" in cls:
                    self.article["evidence"].add(pkt)

    def handle_endtag(self, tag):
        if tag == "article":
            self.article = None
        if tag == "section":
            self.section = None
        if tag == "h2":
            self.h2 = None

    def handle_data(self, data):
        if self.h2 is not None:
            self.sections[self.h2] += data


def parse(path):
    p = Page()
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    return p


def static(path):
    text = open(path, encoding="utf-8").read()
    page = parse(path)
    for tag, a in page.tags:
        if tag in ("script", "link", "iframe", "img", "object", "embed", "base"):
            fail(f"{path}: a <{tag}> element")
        for k in ("src", "srcset", "data", "action", "xlink:href"):
            if k in a:
                fail(f"{path}: <{tag} {k}=\"{a[k]}\">")
        if "href" in a and not a["href"].startswith("#"):
            fail(f"{path}: <{tag} href=\"{a['href']}\"> leaves the page")
        if any(k.startswith("on") for k in a):
            fail(f"{path}: an event handler on <{tag}>")
    if re.search(r"url\s*\(|@import|@font-face", text, re.I):
        fail(f"{path}: url(), @import or @font-face in the page")
    urls = set(re.findall(r"https?://[^\s\"'<>]*", text))
    if urls - {SVG_NS}:
        fail(f"{path}: URLs in the page: {sorted(urls - {SVG_NS})}")
    csp = [a.get("content", "") for t, a in page.tags
           if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    if not csp or "default-src 'none'" not in csp[0]:
        fail(f"{path}: no Content Security Policy forbidding fetches: {csp}")
    print(f"static: {path}: {len(page.tags)} elements, no fetch, no script")


def dom(path, json_path):
    page = parse(path)
    doc = json.load(open(json_path))
    by_file = {}
    for fl in doc["flows"]:
        if fl["findings"]:
            by_file.setdefault(fl["file"], []).append(fl)
    files = {v: k for k, v in page.sections.items()}
    for inp in doc["inputs"]:
        if inp["file"] not in files:
            fail(f"no section for input {inp['file']!r}: {sorted(files)}")
    drawn = evidence = 0
    for name, flows in by_file.items():
        sec = files[name]
        arts = {k: v for k, v in page.articles.items() if v["section"] == sec}
        if len(arts) != min(len(flows), LIST_MAX):
            fail(f"{name}: {len(arts)} connections listed, want {min(len(flows), LIST_MAX)}")
        for fl in flows:
            art = arts.get(f"{sec}-c{fl['id']}")
            if art is None:
                if len(flows) <= LIST_MAX:
                    fail(f"{name}: connection {fl['id']} not listed")
                continue
            if art["ladders"] != 1:
                fail(f"{name}: connection {fl['id']} has {art['ladders']} ladders")
            cited = {p for x in fl["findings"] for p in x["packets"]}
            want = cited & art["pkts"]
            if art["evidence"] != want:
                fail(f"{name}: connection {fl['id']}: evidence marked {sorted(art['evidence'])},"
                     f" want {sorted(want)} (drawn {sorted(art['pkts'])})")
            drawn += 1
            evidence += len(want)
    extra = len(page.articles) - drawn
    if extra:
        fail(f"{extra} connections listed that have no findings")
    for href in page.links:
        if href.startswith("#") and href[1:] not in page.ids:
            fail(f"link {href} has no target")
    if drawn == 0 or evidence == 0:
        fail(f"nothing checked: {drawn} ladders, {evidence} evidence packets")
    print(f"dom: {path}: {len(page.sections)} files, {drawn} ladders, one per listed "
          f"connection, {evidence} evidence packets marked, {len(page.links)} links resolved")


def cap(path, json_path):
    page = parse(path)
    doc = json.load(open(json_path))
    flows = doc["flows"]
    if len(flows) <= LIST_MAX:
        fail(f"{json_path}: only {len(flows)} connections: nothing to cap")
    ids = [int(k.rsplit("-c", 1)[1]) for k in page.articles]
    flagged = {fl["id"] for fl in flows if fl["findings"]}
    if len(ids) != LIST_MAX:
        fail(f"{path}: {len(ids)} connections drawn, want {LIST_MAX}")
    if ids != sorted(ids):
        fail(f"{path}: connections not in order of id")
    if len(flagged) <= LIST_MAX and not flagged <= set(ids):
        fail(f"{path}: flagged connections left out: {sorted(flagged - set(ids))[:10]}")
    note = f"{len(flows) - LIST_MAX} more connections not listed"
    if note not in open(path, encoding="utf-8").read():
        fail(f"{path}: no note \"{note}\"")
    print(f"cap: {path}: {LIST_MAX} of {len(flows)} connections drawn, all {len(flagged)} "
          f"flagged ones among them; \"{note}\"")


def png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail(f"{path}: PNG depth {depth} colour type {ctype} interlace {interlace} not handled")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours, ink = set(), 0
    pos = 0
    for _ in range(h):
        f = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        for i in range(0, stride, bpp):
            px = bytes(line[i:i + 3])
            colours.add(px)
            if px != b"\xff\xff\xff":
                ink += 1
        prev = line
    share = ink / (w * h)
    if len(colours) < 64 or share < 0.02:
        fail(f"{path}: {w}x{h}, {len(colours)} colours, {share:.1%} not white: blank?")
    print(f"png: {path}: {w}x{h}, {len(colours)} colours, {share:.1%} not white")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "static":
        for p in sys.argv[2:]:
            static(p)
    elif what == "dom":
        dom(sys.argv[2], sys.argv[3])
    elif what == "cap":
        cap(sys.argv[2], sys.argv[3])
    elif what == "png":
        png(sys.argv[2])
    else:
        fail(f"unknown check {what}")
