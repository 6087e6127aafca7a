"""Debug info by build-id (issue 17): a stripped executable's DWARF, and
`--build-id HEX` in place of a file, fetched from a real debuginfod server
(Debian's `debuginfod -F DIR -p PORT`, started on 127.0.0.1 for each test
and stopped after it); dwz's supplementary file fetched the same way. What
the servers cannot give (404, refused connection, timeout, a file of another
build-id) is exit 2, one line naming the build-id and the URLs. A slow
download shows its progress on stderr."""
import http.server
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.request

import pytest

import fixturelib as fl
from test_debug_elsewhere import build, dwz_pair

PLAIN_FLAGS = ["-g", "-O0"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_id(path):
    out = fl.run(["readelf", "-n", str(path)]).stdout
    for line in out.splitlines():
        if "Build ID:" in line:
            return line.split("Build ID:")[1].strip()
    raise AssertionError(f"{path} has no build-id:\n{out}")


class Debuginfod:
    """`debuginfod -F DIR` on 127.0.0.1, serving what DIR holds once its first
    scan has indexed the files (polled through the server's own /buildid/)."""

    def __init__(self, tmp, files, wait_for):
        fl.require("debuginfod")
        self.dir = tmp / "served"
        self.dir.mkdir()
        for f in files:
            shutil.copy(f, self.dir / os.path.basename(f))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp / "debuginfod.log", "w")
        self.proc = subprocess.Popen(
            ["debuginfod", "-F", str(self.dir), "-p", str(self.port), "-d", str(tmp / "debuginfod.sqlite"), "-t", "0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/buildid/{wait_for}/debuginfo", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise AssertionError("debuginfod did not serve " + wait_for + ": " + (tmp / "debuginfod.log").read_text())
            time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def stripped(tmp_path):
    """(plain executable, its stripped copy, its debug file, build-id)."""
    plain = build(tmp_path, "gcc", "plain", PLAIN_FLAGS)
    bare, debug = tmp_path / "bare", tmp_path / "plain.debug"
    assert fl.run(["objcopy", "--only-keep-debug", str(plain), str(debug)]).returncode == 0
    assert fl.run(["strip", "-g", "-o", str(bare), str(plain)]).returncode == 0
    assert ".debug_info" not in fl.run(["readelf", "-S", str(bare)]).stdout
    return plain, bare, debug, build_id(plain)


@pytest.fixture
def server(tmp_path, stripped):
    s = Debuginfod(tmp_path, [stripped[2]], stripped[3])
    yield s
    s.stop()


def env_for(tmp, urls, **extra):
    env = dict(os.environ)
    env.pop("DEBUGINFOD_URLS", None)
    if urls is not None:
        env["DEBUGINFOD_URLS"] = urls
    env["DEBUGINFOD_CACHE_PATH"] = str(tmp / "client-cache")
    env.update(extra)
    return env


def pg(env, *args, **kw):
    return fl.run([fl.padguard(), *map(str, args)], env=env, **kw)


def one_line_error(r):
    assert r.returncode == 2, r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    return r.stderr


def test_stripped_binary_without_servers_says_how(tmp_path, stripped):
    _, bare, _, bid = stripped
    err = one_line_error(pg(env_for(tmp_path, None), "layout", bare))
    assert f"{bare}: no DWARF debug info" in err and bid in err and "DEBUGINFOD_URLS" in err


def test_stripped_binary_reads_its_debug_info_from_debuginfod(tmp_path, stripped, server):
    plain, bare, _, bid = stripped
    env = env_for(tmp_path, server.url)
    a, b = pg(env, "layout", bare), pg(env, "layout", plain)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout and "struct holes_" in a.stdout
    p = fl.pahole_layout(str(plain))
    assert p.returncode == 0 and p.stdout == a.stdout, "not pahole's bytes of the unstripped file"
    ja, jb = pg(env, "extract", bare), pg(env, "extract", plain)
    assert ja.returncode == 0, ja.stderr
    assert ja.stdout.replace(str(bare), "X") == jb.stdout.replace(str(plain), "X")
    d = pg(env, "diff", plain, bare)
    assert d.returncode == 0 and "0 changed, 0 added, 0 removed" in d.stdout, d.stdout + d.stderr
    c = pg(env, "check", "--no-growth", "all", plain, bare)
    assert c.returncode == 0 and "verdict: PASS" in c.stdout, c.stdout + c.stderr
    # The second reader reads the same debug file.
    l2 = pg(env, "layout", "--backend", "libdwarf", bare)
    assert l2.returncode == 0 and l2.stdout == b.stdout, l2.stderr
    # Cached as the client caches: a second run needs no server.
    assert (tmp_path / "client-cache" / bid / "debuginfo").is_file()
    server.stop()
    again = pg(env, "layout", "-C", "holes_one_byte", bare)
    assert again.returncode == 0 and "struct holes_one_byte {" in again.stdout, again.stderr


def test_build_id_in_place_of_a_file(tmp_path, stripped, server):
    plain, _, _, bid = stripped
    env = env_for(tmp_path, server.url)
    a = pg(env, "layout", "--build-id", bid)
    assert a.returncode == 0 and a.stdout == pg(env, "layout", plain).stdout, a.stderr
    # Upper case as some tools print it, and the --build-id=HEX spelling.
    assert pg(env, "layout", f"--build-id={bid.upper()}", "-C", "holes_one_byte").stdout == \
        pg(env, "layout", "-C", "holes_one_byte", plain).stdout
    # A build-id takes the place of the FILE where it stands: OLD here, NEW there.
    d = pg(env, "diff", "--build-id", bid, plain)
    assert d.returncode == 0 and d.stdout.startswith(f"--- build-id:{bid}\n+++ {plain}\n"), d.stdout + d.stderr
    d = pg(env, "diff", plain, "--build-id", bid)
    assert d.returncode == 0 and d.stdout.startswith(f"--- {plain}\n+++ build-id:{bid}\n"), d.stdout + d.stderr
    c = pg(env, "check", "--no-growth", "all", "--pair", f"x86_64=build-id:{bid}:{plain}")
    assert c.returncode == 0 and "verdict: PASS" in c.stdout, c.stdout + c.stderr
    manifest = tmp_path / "pairs.txt"
    manifest.write_text(f"x86_64 {plain} build-id:{bid}\n")
    c = pg(env, "check", "--no-growth", "all", "--manifest", manifest)
    assert c.returncode == 0 and "verdict: PASS" in c.stdout, c.stdout + c.stderr


def test_build_id_without_servers_or_malformed(tmp_path, stripped):
    bid = stripped[3]
    err = one_line_error(pg(env_for(tmp_path, None), "layout", "--build-id", bid))
    assert err.startswith(f"padguard: build-id {bid}: no debug info") and "DEBUGINFOD_URLS is not set" in err
    for bad in ("xyz", "abc", "", "ab", "0" * 130):
        err = one_line_error(pg(env_for(tmp_path, None), "layout", f"--build-id={bad}"))
        assert "not a build-id" in err, err


def test_unknown_build_id_is_a_404_naming_it(tmp_path, stripped, server):
    missing = "00" * 20
    err = one_line_error(pg(env_for(tmp_path, server.url), "layout", "--build-id", missing))
    assert f"build-id {missing}" in err and server.url in err and "no debug info for it" in err, err


def test_unreachable_server(tmp_path, stripped):
    _, bare, _, bid = stripped
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for cmd in (["layout", bare], ["layout", "--build-id", bid], ["diff", stripped[0], bare]):
        err = one_line_error(pg(env_for(tmp_path, url), *cmd))
        assert bid in err and url in err and "connection refused" in err, err


def test_silent_server_times_out(tmp_path, stripped):
    """A server that accepts and never answers: DEBUGINFOD_TIMEOUT holds."""
    bid = stripped[3]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        t0 = time.time()
        r = pg(env_for(tmp_path, url, DEBUGINFOD_TIMEOUT="1", DEBUGINFOD_RETRY_LIMIT="0"), "layout", "--build-id", bid,
               timeout=60)
        took = time.time() - t0
    finally:
        listener.close()
    assert r.returncode == 2 and "timed out (DEBUGINFOD_TIMEOUT=1 s a try)" in r.stderr and url in r.stderr, r.stderr
    assert took < 30, took


class SlowOrWrong(http.server.BaseHTTPRequestHandler):
    """debuginfod's /buildid/ID/debuginfo, served slowly in chunks (progress)
    or with another build's file (a hostile or broken server)."""
    body = b""
    chunks = 1
    pause = 0.0

    def do_GET(self):
        if not self.path.endswith("/debuginfo"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("X-DEBUGINFOD-SIZE", str(len(self.body)))
        self.end_headers()
        step = max(1, len(self.body) // self.chunks)
        for i in range(0, len(self.body), step):
            self.wfile.write(self.body[i:i + step])
            self.wfile.flush()
            time.sleep(self.pause)

    def log_message(self, *args):
        pass


def serve(handler):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_slow_download_shows_progress(tmp_path, stripped):
    plain, bare, debug, bid = stripped
    handler = type("Slow", (SlowOrWrong,), {"body": debug.read_bytes(), "chunks": 12, "pause": 0.3})
    httpd, url = serve(handler)
    try:
        r = pg(env_for(tmp_path, url), "layout", bare, timeout=120)
    finally:
        httpd.shutdown()
    assert r.returncode == 0 and r.stdout == pg(env_for(tmp_path, None), "layout", plain).stdout, r.stderr
    lines = r.stderr.splitlines()
    assert any(f"padguard: build-id {bid}: fetching debug info from debuginfod:" in l and " MiB" in l for l in lines), r.stderr
    assert lines[-1].startswith(f"padguard: build-id {bid}: fetched ") and "cached as" in lines[-1], r.stderr


def test_server_serving_another_build_is_refused(tmp_path, stripped):
    _, bare, _, bid = stripped
    other = tmp_path / "other"
    (tmp_path / "o.c").write_text("struct other { int a; } o; int main(void) { return 0; }\n")
    assert fl.run(["gcc", "-g", "-o", str(other), str(tmp_path / "o.c")]).returncode == 0
    httpd, url = serve(type("Wrong", (SlowOrWrong,), {"body": other.read_bytes()}))
    try:
        err = one_line_error(pg(env_for(tmp_path, url), "layout", bare))
    finally:
        httpd.shutdown()
    assert f"served" in err and f"for build-id {bid}" in err and build_id(other) in err, err


# ---- dwz's supplementary file by debuginfod ---------------------------------

def test_dwz_alt_file_fetched_by_debuginfod(tmp_path):
    plain, a, _ = dwz_pair(tmp_path)
    alt = tmp_path / "common.debug"
    alt_id = build_id(alt)
    elsewhere = tmp_path / "store"
    elsewhere.mkdir()
    alt.rename(elsewhere / "common.debug")
    err = one_line_error(pg(env_for(tmp_path, None), "layout", a))
    assert "was not found" in err and "DEBUGINFOD_URLS" in err, err
    s = Debuginfod(tmp_path, [elsewhere / "common.debug"], alt_id)
    try:
        env = env_for(tmp_path, s.url)
        r = pg(env, "layout", a)
        assert r.returncode == 0 and r.stdout == pg(env, "layout", plain).stdout, r.stderr
        d = pg(env, "diff", plain, a)
        assert d.returncode == 0 and "0 changed, 0 added, 0 removed" in d.stdout, d.stdout + d.stderr
    finally:
        s.stop()


def test_dwz_alt_file_missing_on_the_server_too(tmp_path, stripped, server):
    (tmp_path / "dwz").mkdir()
    _, a, _ = dwz_pair(tmp_path / "dwz")
    (a.parent / "common.debug").unlink()
    err = one_line_error(pg(env_for(tmp_path, server.url), "layout", a))
    assert "DWARF compressed by dwz: its supplementary file 'common.debug' is not on this machine" in err, err
    assert "debuginfod could not fetch the debug info of build-id" in err and server.url in err, err


def test_debug_file_under_usr_lib_debug_build_id(tmp_path, stripped):
    """The local place gdb and libdwfl look first, before any server."""
    plain, bare, debug, bid = stripped
    root = "/usr/lib/debug/.build-id"
    if not os.access(os.path.dirname(root) if os.path.isdir(os.path.dirname(root)) else "/usr/lib", os.W_OK):
        pytest.skip(f"SKIPPED, {root} is not writable here (run as root, as CI does)")
    d = os.path.join(root, bid[:2])
    target = os.path.join(d, bid[2:] + ".debug")
    made = [p for p in (os.path.dirname(root), root, d) if not os.path.isdir(p)]
    os.makedirs(d, exist_ok=True)
    shutil.copy(debug, target)
    # A server that would serve another build's file: the local file wins.
    other = tmp_path / "other"
    (tmp_path / "o.c").write_text("struct other { int a; } o; int main(void) { return 0; }\n")
    assert fl.run(["gcc", "-g", "-o", str(other), str(tmp_path / "o.c")]).returncode == 0
    httpd, url = serve(type("Wrong", (SlowOrWrong,), {"body": other.read_bytes()}))
    try:
        for urls in (None, url):
            env = env_for(tmp_path, urls)
            r = pg(env, "layout", bare)
            assert r.returncode == 0 and r.stdout == pg(env, "layout", plain).stdout, r.stderr
            r = pg(env, "layout", "--build-id", bid, "-C", "holes_one_byte")
            assert r.returncode == 0 and "struct holes_one_byte {" in r.stdout, r.stderr
    finally:
        httpd.shutdown()
        os.unlink(target)
        for p in reversed(made):
            os.rmdir(p)


def notes(bid, big_endian=False):
    """ELF notes as /sys/kernel/notes holds them: Xen/Linux notes around the
    GNU build-id."""
    e = ">" if big_endian else "<"
    def note(name, ntype, desc):
        n = name + b"\0"
        pad = lambda b: b + b"\0" * (-len(b) % 4)
        return struct.pack(e + "III", len(n), len(desc), ntype) + pad(n) + pad(desc)
    return note(b"Linux", 0x100, b"\x01\x01\0\0") + note(b"GNU", 3, bytes.fromhex(bid)) + note(b"Linux", 6, b"6.1\0")


def test_kernel_notes_stand_for_their_build_id(tmp_path, stripped, server):
    """`padguard layout /sys/kernel/notes`: the running kernel's debug info by
    its build-id (and /sys/module/M/notes/.note.gnu.build-id for a module)."""
    plain, _, _, bid = stripped
    blob = tmp_path / "notes"
    blob.write_bytes(notes(bid))
    r = pg(env_for(tmp_path, server.url), "layout", blob)
    assert r.returncode == 0 and r.stdout == pg(env_for(tmp_path, None), "layout", plain).stdout, r.stderr
    big = tmp_path / "notes-be"
    big.write_bytes(notes(bid, big_endian=True))
    err = one_line_error(pg(env_for(tmp_path, None), "layout", big))
    assert f"ELF notes with build-id {bid}" in err and "DEBUGINFOD_URLS is not set" in err, err
    # Damaged notes are no build-id: the usual "not an ELF file".
    blob.write_bytes(notes(bid)[:-3])
    err = one_line_error(pg(env_for(tmp_path, None), "layout", blob))
    assert "not an ELF file" in err, err


def test_this_machines_kernel_notes(tmp_path):
    path = "/sys/kernel/notes"
    fl.skip_without(path, "running kernel's notes (/sys/kernel/notes)")
    data = open(path, "rb").read()
    at, bid = 0, None
    while at + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, at)
        name_at = at + 12
        desc_at = name_at + (namesz + 3) // 4 * 4
        if ntype == 3 and data[name_at:name_at + 4] == b"GNU\0":
            bid = data[desc_at:desc_at + descsz].hex()
        at = desc_at + (descsz + 3) // 4 * 4
    if bid is None:
        pytest.skip("SKIPPED, this kernel's /sys/kernel/notes has no build-id")
    if os.path.exists(f"/usr/lib/debug/.build-id/{bid[:2]}/{bid[2:]}.debug"):
        pytest.skip("SKIPPED, this kernel's debug file is installed: the lookup succeeds")
    err = one_line_error(pg(env_for(tmp_path, None), "layout", path))
    assert f"ELF notes with build-id {bid}" in err, err


def test_boot_image_says_what_to_pass(tmp_path):
    image = tmp_path / "vmlinuz"
    head = bytearray(4096)
    head[0x1fe:0x200] = b"\x55\xaa"
    head[0x202:0x206] = b"HdrS"
    image.write_bytes(bytes(head))
    err = one_line_error(pg(env_for(tmp_path, None), "layout", image))
    assert "compressed kernel boot image (vmlinuz)" in err and "/sys/kernel/notes" in err, err


def test_server_serving_a_stripped_file_is_refused(tmp_path, stripped):
    """The right build-id, but no DWARF in it (a server indexing the stripped
    executable only): said as such, not "build with -g" about the cache."""
    _, bare, _, bid = stripped
    httpd, url = serve(type("Stripped", (SlowOrWrong,), {"body": bare.read_bytes()}))
    try:
        err = one_line_error(pg(env_for(tmp_path, url), "layout", "--build-id", bid))
    finally:
        httpd.shutdown()
    assert f"for build-id {bid}, but it has no .debug_info" in err, err


def set_note(path, out, desc):
    """A copy of `path` whose build-id note's descriptor is `desc` (any
    length), by objcopy --update-section."""
    note = tmp = out.with_suffix(".note")
    n = b"GNU\0"
    tmp.write_bytes(struct.pack("<III", 4, len(desc), 3) + n + desc + b"\0" * (-len(desc) % 4))
    r = fl.run(["objcopy", "--update-section", f".note.gnu.build-id={note}", str(path), str(out)])
    assert r.returncode == 0, r.stderr
    return out


def test_a_huge_build_id_note_is_no_build_id(tmp_path, stripped):
    """A hostile note of 100,000 bytes: not a 200 KB URL or message."""
    _, bare, _, _ = stripped
    huge = set_note(bare, tmp_path / "huge", b"\xab" * 100000)
    r = pg(env_for(tmp_path, "http://127.0.0.1:9"), "layout", huge)
    err = one_line_error(r)
    assert "no DWARF debug info" in err and len(err) < 400, err[:500]
