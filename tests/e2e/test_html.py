"""Pictures of layouts (issue 19), checked in a real browser: headless
Chromium loads `layout -C NAME --format svg` and `diff|check --format html`
built from fixtures compiled now (task_model.c before/after the seed patch,
cache_groups.c, aligned.c, bitfields.c), takes a screenshot (kept under
<workdir>/html-artifacts/) and dumps the DOM. The DOM must hold a box per
member at the offsets and sizes of `--format json`, holes and tail padding as
the JSON counts them, the change classes the JSON's changes name on the side
they belong to, groups and forced alignments where the layout has them; the
screenshot's pixels must show those classes' colours, so a picture that does
not render fails. Hostile names (facts files) end up as text, never markup:
the DOM has no <script>. No Chromium: every test here skips, loudly."""
import json
import os
import re
import shutil
import struct
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

import pytest

import fixturelib as fl

TASK = os.path.join(fl.FIXTURES, "task_model.c")
GROUPS = os.path.join(fl.FIXTURES, "cache_groups.c")
ALIGNED = os.path.join(fl.FIXTURES, "aligned.c")
BITFIELDS = os.path.join(fl.FIXTURES, "bitfields.c")

# svg_map.hpp's pixels: 92 px of row labels, one 64-byte cacheline in 768 px.
LEFT, LINE_PX, LINE_BYTES = 92.0, 768.0, 64
# Fill colours of the classes (svg_map.cpp map_css), as the screenshot shows them.
COLOURS = {"m": (0xcf, 0xe0, 0xf5), "c-moved": (0xf5, 0xb0, 0x41), "c-shifted": (0xfc, 0xf3, 0xcf),
           "c-added": (0x82, 0xe0, 0xaa), "c-removed": (0xf1, 0x94, 0x8a), "grp": (0xf9, 0xe7, 0x9f),
           "grp changed": (0xe6, 0x7e, 0x22), "bf": (0xdc, 0xef, 0xd2)}


def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("SKIPPED LOUDLY, no chromium: the pictures are not checked in a browser "
                    "(apt-get install --no-install-recommends chromium; scripts/setup installs it)")
    return exe


def artifacts():
    return fl.work_dir("html-artifacts")


def browse(path, name, size=(1800, 1200)):
    """Loads `path` in headless Chromium: (dumped DOM, screenshot path). The
    screenshot is kept in <workdir>/html-artifacts/NAME.png."""
    exe = chromium()
    png = os.path.join(artifacts(), f"{name}.png")
    url = "file://" + os.path.abspath(path)
    with tempfile.TemporaryDirectory() as profile:
        common = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                  f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions"]
        if os.path.exists(png):
            os.unlink(png)
        r = fl.run([*common, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}", url], timeout=180)
        assert os.path.exists(png), f"chromium took no screenshot of {path}: {r.stderr[-2000:]}"
        r = fl.run([*common, "--dump-dom", url], timeout=180)
        assert r.returncode == 0 and r.stdout, f"chromium --dump-dom {path}: {r.stderr[-2000:]}"
    return r.stdout, png


class Dom(HTMLParser):
    """Every element of a dumped DOM with its attributes and its enclosing
    elements' attributes (for data-side, data-config, data-name)."""

    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack, self.text = [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, **{k: (v or "") for k, v in attrs}, "_up": [dict(e) for e in self.stack]}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append({k: v for k, v in el.items() if k != "_up"})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag=None, cls=None, **attrs):
        """Elements by tag, classes and data attributes (data_x=...), the
        legend's swatches left out."""
        out = []
        for e in self.elements:
            if any("legend" in u.get("class", "").split() for u in e["_up"]):
                continue
            if tag and e["tag"] != tag:
                continue
            if cls and not set(cls.split()) <= set(e.get("class", "").split()):
                continue
            if all(e.get(k.replace("_", "-")) == str(v) for k, v in attrs.items()):
                out.append(e)
        return out


def up(el, key):
    """The nearest enclosing element's value of attribute `key`."""
    for e in reversed(el["_up"]):
        if key in e:
            return e[key]
    return None


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB/RGBA PNG (Chromium's)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


# A legend swatch (18 x 14 px) shows each class's colour too: a colour
# counts for the maps only past that many pixels.
LEGEND_PX = 18 * 14


def colour_counts(rows):
    counts = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    return counts


def pg(*args):
    return fl.run([fl.padguard(), *args])


def build(src, *flags, mode="-m64"):
    name = os.path.basename(src)[:-2] + "".join(f.replace("-D", "_") for f in flags) + mode
    return fl.compile_cached(fl.cc_argv("gcc", mode), src, ["-O0", "-g", *flags], label=f"html_{name}")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.fixture(scope="module", autouse=True)
def tools():
    fl.require("gcc", fl.cc_argv("gcc", "-m32")[0])


def layout_json(obj, name):
    r = pg("layout", "-C", name, "--format", "json", obj)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["records"][0]


def check_boxes(check, dom, rec, where, line_bytes=LINE_BYTES):
    """Every member of the JSON record has boxes at its offset and size whose
    widths add up to its size, the first at its offset's pixel and row
    (cachelines of `line_bytes`, one row LINE_PX wide)."""
    px_per_bit = LINE_PX / (line_bytes * 8)
    boxes = {}
    for e in dom.find("rect", cls="m"):
        boxes.setdefault(e["data-key"], []).append(e)
    keys = [m["key"] for m in rec["members"]]
    check(sorted(boxes) == sorted(keys), f"{where}: boxes for {sorted(set(boxes) ^ set(keys))} differ from the JSON's members")
    for m in rec["members"]:
        pieces = boxes.get(m["key"], [])
        if not pieces:
            continue
        first = [p for p in pieces if "cont" not in p["class"].split()]
        check(len(first) == 1, f"{where}: {m['key']}: {len(first)} first pieces")
        for p in pieces:
            check(p["data-off"] == str(m["offset"]) and p["data-size"] == str(m["size"]),
                  f"{where}: {m['key']}: data-off/size {p['data-off']}/{p['data-size']}, JSON {m['offset']}/{m['size']}")
            if m["bit_size"]:
                check(p.get("data-bit-off") == str(m["bit_offset"]) and p.get("data-bits") == str(m["bit_size"]),
                      f"{where}: {m['key']}: bitfield data {p.get('data-bit-off')}/{p.get('data-bits')}")
        bits = m["bit_size"] or m["size"] * 8
        drawn = sum(float(p["width"]) / px_per_bit * (int(up(p, "data-last-line")) - int(up(p, "data-first-line")) + 1)
                    for p in pieces)
        if bits:
            check(abs(drawn - bits) < 0.05 * len(pieces) / px_per_bit, f"{where}: {m['key']}: widths draw {drawn} bits, not {bits}")
        if first and bits:
            f = first[0]
            line = m["bit_offset"] // (line_bytes * 8)
            single = up(f, "data-first-line") == up(f, "data-last-line")
            check(int(up(f, "data-first-line")) == line or not single, f"{where}: {m['key']}: in row {up(f, 'data-first-line')}, not {line}")
            if single:
                x = LEFT + (m["bit_offset"] % (line_bytes * 8)) * px_per_bit
                check(abs(float(f["x"]) - x) < 0.01, f"{where}: {m['key']}: x {f['x']}, expected {x}")


def forced_alignments(text):
    """Members and inline records pahole's text prints with __aligned__(N)
    (the record's own closing line is not a member)."""
    return sum(1 for line in text.splitlines() if "__aligned__(" in line and not line.startswith("}"))


def check_holes(check, dom, rec, where, side=None):
    drawn = [(int(e["data-off"]), int(e["data-size"])) for e in dom.find("rect", cls="hole")
             if side is None or up(e, "data-side") == side]
    expected = [(h["offset"], h["size"]) for h in rec["holes"]]
    check(sorted(set(drawn)) == sorted(set(expected)), f"{where}: holes drawn {sorted(set(drawn))}, JSON {expected}")
    pads = [e for e in dom.find("rect", cls="pad") if side is None or up(e, "data-side") == side]
    if rec["padding"]:
        check({(int(e["data-off"]), int(e["data-size"])) for e in pads} == {(rec["size"] - rec["padding"], rec["padding"])},
              f"{where}: tail padding drawn {[(e['data-off'], e['data-size']) for e in pads]}, JSON {rec['padding']}")
    else:
        check(not pads, f"{where}: tail padding drawn where the JSON has none")
    unused = sum(int(e["data-bits"]) for e in dom.find("rect", cls="unused") if side is None or up(e, "data-side") == side)
    check(unused >= rec["sum_bit_holes"], f"{where}: {unused} unused bits drawn, fewer than the {rec['sum_bit_holes']} bits of bit holes")


def test_layout_svg_task_struct(tmp_path, check):
    obj = build(TASK)
    r = pg("layout", "-C", "task_struct", "--format", "svg", obj)
    assert r.returncode == 0, r.stderr
    ET.fromstring(r.stdout.encode())  # well-formed XML
    svg = write(tmp_path, "task_struct.svg", r.stdout)
    shutil.copy(svg, artifacts())
    dom_text, png = browse(svg, "layout_task_struct", (900, 360))
    check("parsererror" not in dom_text, "Chromium could not parse the SVG")
    dom = Dom(dom_text)
    rec = layout_json(obj, "task_struct")
    check_boxes(check, dom, rec, "task_struct")
    check_holes(check, dom, rec, "task_struct")
    root = dom.find("svg", cls="pgmap")[0]
    check(root["data-size"] == str(rec["size"]), f"data-size {root['data-size']}")
    rows = dom.find("g", cls="row")
    check([int(r["data-first-line"]) for r in rows] == sorted(int(r["data-first-line"]) for r in rows) and
          int(rows[-1]["data-last-line"]) == rec["cachelines"] - 1, "rows do not cover the cachelines in order")
    # task_model's rcu_head union carries aligned(8): a wedge per forced alignment the text prints.
    forced = forced_alignments(pg("layout", "-C", "task_struct", obj).stdout)
    check(forced > 0 and len(dom.find("path", cls="amark")) == forced,
          f"{len(dom.find('path', cls='amark'))} alignment wedges, pahole's text has {forced} aligned members")
    w, h, px = png_pixels(png)
    check((w, h) == (900, 360), f"screenshot {w}x{h}")
    # The pixel inside each unlabelled stretch of a plain member box is the member colour.
    probed = 0
    for e in dom.find("rect", cls="m"):
        if e["class"] != "m" or float(e["width"]) < 10 or float(e["y"]) + 4 >= h:
            continue
        x, y = int(float(e["x"]) + float(e["width"]) / 2), int(float(e["y"]) + 2.5)
        probed += 1
        check(px[y][x] == COLOURS["m"], f"pixel {x},{y} of {e['data-key']} is {px[y][x]}, not the member colour")
    check(probed > 20, f"only {probed} member boxes probed")
    for e in dom.find("rect", cls="hole")[:3]:
        x, y = int(float(e["x"]) + float(e["width"]) / 2), int(float(e["y"]) + 8)
        check(px[y][x] != (255, 255, 255) and px[y][x] != COLOURS["m"], f"hole at {e['data-off']} not hatched: {px[y][x]}")
    check.done()


def test_layout_svg_groups_alignment_bitfields(tmp_path, check):
    for src, name in ((GROUPS, "netdev_like"), (ALIGNED, None), (BITFIELDS, None)):
        obj = build(src)
        names = [name] if name else [r["name"] for r in json.loads(pg("layout", "--format", "json", obj).stdout)["records"]]
        for n in names:
            r = pg("layout", "-C", n, "--format", "svg", obj)
            check(r.returncode == 0, f"{n}: {r.stderr}")
            ET.fromstring(r.stdout.encode())
            dom = Dom(r.stdout)
            rec = layout_json(obj, n)
            check_boxes(check, dom, rec, n)
            check_holes(check, dom, rec, n)
            units = {(int(e["data-off"]), int(e["data-size"])) for e in dom.find("rect", cls="unit")}
            for m in rec["members"]:
                if m["bit_size"]:
                    check(any(s == m["size"] and o * 8 <= m["bit_offset"] < (o + s) * 8 for o, s in units),
                          f"{n}.{m['key']}: no storage unit drawn around bits {m['bit_offset']}+{m['bit_size']}")
            forced = forced_alignments(pg("layout", "-C", n, obj).stdout)
            check(len(dom.find("path", cls="amark")) == forced, f"{n}: {len(dom.find('path', cls='amark'))} wedges, {forced} aligned members")
    obj = build(GROUPS)
    groups = json.loads(pg("groups", "--format", "json", obj).stdout)
    want = {(g["name"], g["begin"], g["end"]) for s in groups["records"] if s["struct"] == "netdev_like" for g in s["groups"]
            if "problem" not in g}
    svg = write(tmp_path, "netdev_like.svg", pg("layout", "-C", "netdev_like", "--format", "svg", obj).stdout)
    dom_text, png = browse(svg, "layout_netdev_like", (900, 300))
    dom = Dom(dom_text)
    drawn = {(e["data-group"], int(e["data-begin"]), int(e["data-end"])) for e in dom.find("rect", cls="grp")}
    check(drawn == want, f"groups drawn {sorted(drawn)}, groups --format json {sorted(want)}")
    counts = colour_counts(png_pixels(png)[2])
    check(counts.get(COLOURS["grp"], 0) > LEGEND_PX + 1000, "no cacheline group colour in the screenshot")
    check(counts.get(COLOURS["bf"], 0) + counts.get(COLOURS["m"], 0) > LEGEND_PX * 2 + 2000, "no member colour in the screenshot")
    check.done()


@pytest.mark.parametrize("size", [32, 128, 4096])
def test_layout_svg_cacheline_size(size, check):
    """-c N: a row per N-byte cacheline, each LINE_PX wide, boxes where the JSON says."""
    obj = build(TASK)
    r = pg("layout", "-C", "task_struct", "-c", str(size), "--format", "svg", obj)
    assert r.returncode == 0, r.stderr
    dom = Dom(r.stdout)
    rec = json.loads(pg("layout", "-C", "task_struct", "-c", str(size), "--format", "json", obj).stdout)["records"][0]
    check(dom.find("svg", cls="pgmap")[0]["data-cacheline-size"] == str(size), "data-cacheline-size")
    check(int(dom.find("g", cls="row")[-1]["data-last-line"]) == rec["cachelines"] - 1,
          f"last row {dom.find('g', cls='row')[-1]['data-last-line']}, {rec['cachelines']} cachelines")
    check_boxes(check, dom, rec, f"-c {size}", size)
    check_holes(check, dom, rec, f"-c {size}")
    check.done()


def test_layout_svg_refuses_other_than_one_struct():
    obj = build(TASK)
    for args in ([], ["-C", "task_struct,list_head"]):
        r = pg("layout", *args, "--format", "svg", obj)
        assert r.returncode == 2 and r.stdout == "" and "draws one struct" in r.stderr, r.stderr


def side_boxes(dom, side):
    out = {}
    for e in dom.find("rect", cls="m"):
        if up(e, "data-side") == side:
            out.setdefault(e["data-key"], []).append(e)
    return out


def check_diff_page(check, dom, diff, where):
    for rec in diff["records"]:
        sec = [e for e in dom.find("section", cls="record") if e["data-name"] == rec["name"] and
               (where == "diff" or up(e, "data-config") == where)]
        check(len(sec) == 1, f"{where}: {len(sec)} sections for {rec['name']}")
        def in_sec(e, n=rec["name"]):
            return up(e, "data-name") == n and (where == "diff" or up(e, "data-config") == where)
        old = {k: [e for e in v if in_sec(e)] for k, v in side_boxes(dom, "old").items()}
        new = {k: [e for e in v if in_sec(e)] for k, v in side_boxes(dom, "new").items()}
        old = {k: v for k, v in old.items() if v}
        new = {k: v for k, v in new.items() if v}
        changed = {m["key"]: m for m in rec["members"]}
        for m in rec["members"]:
            classes = {"c-" + c for c in m["changes"]}
            for side, boxes, fm in (("old", old, m["old"]), ("new", new, m["new"])):
                got = boxes.get(m["key"], [])
                if fm is None:
                    check(not got, f"{where} {rec['name']}.{m['key']}: drawn on the {side} side, where it is not")
                    continue
                check(bool(got), f"{where} {rec['name']}.{m['key']}: not drawn on the {side} side")
                for e in got:
                    check(classes <= set(e["class"].split()), f"{where} {rec['name']}.{m['key']} ({side}): classes {e['class']}, changes {classes}")
                    check(e["data-off"] == str(fm["offset"]) and e["data-size"] == str(fm["size"]),
                          f"{where} {rec['name']}.{m['key']} ({side}): at {e['data-off']}/{e['data-size']}, JSON {fm['offset']}/{fm['size']}")
        for side, boxes in (("old", old), ("new", new)):
            for k, es in boxes.items():
                if k not in changed:
                    check(all(not c.startswith("c-") for e in es for c in e["class"].split()),
                          f"{where} {rec['name']}.{k} ({side}): change class on an unchanged member")
        for kind, side in (("filled", "old"), ("opened", "new")):
            drawn = sorted((int(e["data-off"]), int(e["data-size"])) for e in dom.find("rect", cls=f"hole {kind}")
                           if up(e, "data-side") == side and in_sec(e))
            want = sorted((h["offset"], h["size"]) for h in rec[f"holes_{kind}"])
            check(drawn == want, f"{where} {rec['name']}: holes {kind} drawn {drawn}, JSON {want}")
        for g in rec.get("groups", []):
            marked = [e for e in dom.find("rect", cls="grp changed") if e.get("data-group") == g["name"] and in_sec(e)]
            check(bool(marked), f"{where} {rec['name']}: group {g['name']} changed but not marked")


def test_diff_html_seed_patch(tmp_path, check):
    old, new = build(TASK), build(TASK, "-DPATCHED")
    r = pg("diff", "--format", "html", old, new)
    assert r.returncode == 1, r.stderr
    page = write(tmp_path, "diff.html", r.stdout)
    shutil.copy(page, artifacts())
    check(len(r.stdout.encode()) < 2_000_000, "page over 2 MB")
    diff = json.loads(pg("diff", "--format", "json", old, new).stdout)
    dom_text, png = browse(page, "diff_task_struct", (1800, 1000))
    dom = Dom(dom_text)
    check(not dom.find("script"), "the page has a <script>")
    check(not dom.find("link") and not dom.find("img") and not re.search(r"(src|href)=\"?(https?:|//)", dom_text),
          "the page refers to something outside itself")
    rows = dom.find("tr", data_name="task_struct")
    check(len(rows) == 1 and rows[0]["data-status"] == "changed", "no changed row for task_struct in the table")
    check(len([e for e in dom.find("svg", cls="pgmap") if "legend" not in e["class"]]) == 2 * len(diff["records"]),
          "not two maps per changed record")
    check_diff_page(check, dom, diff, "diff")
    # Both maps hold every member of their side, at the JSON layout's offsets.
    for side, obj in (("old", old), ("new", new)):
        rec = layout_json(obj, "task_struct")
        boxes = side_boxes(dom, side)
        check(sorted(boxes) == sorted(m["key"] for m in rec["members"]), f"{side}: boxes differ from the layout's members")
        for m in rec["members"]:
            check(all(e["data-off"] == str(m["offset"]) for e in boxes.get(m["key"], [])), f"{side}: {m['key']} off")
    counts = colour_counts(png_pixels(png)[2])
    for cls in ("c-moved", "c-shifted", "m"):
        check(counts.get(COLOURS[cls], 0) > LEGEND_PX + 1000, f"the screenshot shows no {cls} colour {COLOURS[cls]}")
    check.done()


def test_diff_html_groups_added_removed(tmp_path, check):
    old, new = build(GROUPS), build(GROUPS, "-DAFTER")
    r = pg("diff", "--format", "html", old, new)
    assert r.returncode == 1, r.stderr
    diff = json.loads(pg("diff", "--format", "json", old, new).stdout)
    check(any(rec.get("groups") for rec in diff["records"]), "fixture: no group changed")
    check(any("added" in m["changes"] for rec in diff["records"] for m in rec["members"]), "fixture: nothing added")
    page = write(tmp_path, "groups.html", r.stdout)
    dom_text, png = browse(page, "diff_groups", (1800, 1400))
    check_diff_page(check, Dom(dom_text), diff, "diff")
    counts = colour_counts(png_pixels(png)[2])
    check(counts.get(COLOURS["c-added"], 0) > LEGEND_PX + 800, "the screenshot shows no added colour")
    check(counts.get(COLOURS["grp changed"], 0) > LEGEND_PX + 1000, "the screenshot shows no changed-group colour")
    check.done()


DEMO = {"x86_64": ("-m64", []), "x86_64-tiny": ("-m64", ["-DCONFIG_TINY"]),
        "x86_64-tiny-cacheline": ("-m64", ["-DCONFIG_TINY", "-DCONFIG_CACHELINE_TASK"]),
        "i386": ("-m32", []), "i386-cacheline": ("-m32", ["-DCONFIG_CACHELINE_TASK"])}


def test_check_html_over_configs(tmp_path, check):
    pairs = []
    for label, (mode, flags) in DEMO.items():
        pairs += ["--pair", f"{label}={build(TASK, *flags, mode=mode)}:{build(TASK, *flags, '-DPATCHED', mode=mode)}"]
    rules = ["--no-growth", "task_struct", "--max-slack-loss", "0", "--disjoint", "task_struct.rcu_users,task_struct.rcu"]
    r = pg("check", *pairs, *rules, "--format", "html")
    assert r.returncode == 1, r.stderr
    res = json.loads(pg("check", *pairs, *rules, "--format", "json").stdout)
    page = write(tmp_path, "check.html", r.stdout)
    shutil.copy(page, artifacts())
    dom_text, _ = browse(page, "check_task_struct", (1800, 1400))
    dom = Dom(dom_text)
    check(not dom.find("script"), "the page has a <script>")
    check(dom.find("p", cls="verdict-line")[0]["data-verdict"] == res["verdict"], "verdict line differs from the JSON")
    for c in res["configs"]:
        row = dom.find("tr", data_config=c["label"], data_name="task_struct")
        check(len(row) == 1, f"{c['label']}: {len(row)} table rows")
        cells = [e["class"] for e in dom.elements if e["tag"] == "td" and up(e, "data-config") == c["label"] and e.get("class")]
        check(cells == [v for v in c["structs"][0]["rules"]], f"{c['label']}: verdict cells {cells}, JSON {c['structs'][0]['rules']}")
        sec = dom.find("section", cls="config", data_config=c["label"])
        check(len(sec) == 1 and sec[0]["data-verdict"] == c["verdict"], f"{c['label']}: config section")
        # The config's own diff, member by member, against `diff --format json` of its pair.
        old, new = next(p.split("=", 1)[1].split(":") for p in pairs if p.startswith(c["label"] + "="))
        diff = json.loads(pg("diff", "-C", "task_struct", "--format", "json", old, new).stdout)
        check_diff_page(check, dom, diff, c["label"])
    check.done()


EVIL = "<script>alert(1)</script>\"'&\n\x01"


def evil_facts(tmp_path, obj, name):
    facts = json.loads(pg("extract", obj).stdout)
    for rec in facts["record_table"]:
        if rec.get("name") == "s":
            rec["name"] = EVIL
            rec["members"][0]["name"] = EVIL
    for entry in facts.get("records", []):
        if isinstance(entry, dict) and entry.get("name") == "s":
            entry["name"] = EVIL
    return write(tmp_path, name, json.dumps(facts))


def test_hostile_names_stay_text(tmp_path, check):
    src_a = write(tmp_path, "a.c", "struct s { int a; long b; }; struct s x;\n")
    src_b = write(tmp_path, "b.c", "struct s { long b; int a; }; struct s x;\n")
    objs = []
    for src in (src_a, src_b):
        obj = src[:-2] + ".o"
        assert fl.run([*fl.cc_argv("gcc", "-m64"), "-c", "-g", "-o", obj, src]).returncode == 0
        objs.append(obj)
    fa, fb = evil_facts(tmp_path, objs[0], "a.json"), evil_facts(tmp_path, objs[1], "b.json")
    r = pg("layout", "-C", EVIL, "--format", "svg", fa)
    assert r.returncode == 0, r.stderr
    check("<script" not in r.stdout and "\x01" not in r.stdout, "the SVG holds the name unescaped")
    ET.fromstring(r.stdout.encode())
    svg = write(tmp_path, "evil.svg", r.stdout)
    d = pg("diff", "--format", "html", fa, fb)
    check(d.returncode == 1, d.stderr)
    check("<script" not in d.stdout and "\x01" not in d.stdout, "the page holds the name unescaped")
    page = write(tmp_path, "evil.html", d.stdout)
    for path, name in ((svg, "evil_svg"), (page, "evil_html")):
        dom_text, _ = browse(path, name, (1000, 400))
        dom = Dom(dom_text)
        check(not dom.find("script"), f"{name}: a <script> element in the DOM")
        check("parsererror" not in dom_text, f"{name}: does not parse")
        keys = {e.get("data-key") for e in dom.find("rect", cls="m")}
        check(EVIL.replace("\x01", "\\x01") in keys, f"{name}: no box keyed by the hostile name as text: {keys}")
        check(any("<script>alert(1)</script>" in t for t in dom.text), f"{name}: the name is not shown as text")
    check.done()
