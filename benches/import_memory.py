#!/usr/bin/env python3
"""The server's resident memory over a 10,000-row import and a few large uploads.

Starts the server binary (default: the release build, else the debug one) on a throwaway
SQLite file with a small demo company, signs in as the demo admin, then:
  1. imports 10,000 partners (preview, start, wait for the worker to finish);
  2. uploads and previews three 40 MB files (the limit is 50 MB), then four at once;
and reports the resident set size after start-up, after each step, and after 15 s idle: in all
(VmRSS), the process's own memory (RssAnon: heap, buffers, SQLite's page caches), mapped files
(RssFile: the memory-mapped database, which the OS reclaims when it needs to) and the peak
(VmHWM). Standard library only.

    python3 benches/import_memory.py [path/to/partner-attribution]
"""

import concurrent.futures
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for profile in ("release", "debug"):
        path = os.path.join(ROOT, "target", profile, "partner-attribution")
        if os.path.exists(path):
            return path
    sys.exit("no server binary: run `cargo leptos build --release` first")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    """Resident MB: in all, of the process's own (heap) memory, of mapped files (the SQLite
    database, which the OS can drop at any time), and the peak."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                fields[key] = int(value.split()[0]) // 1024
    return fields["VmRSS"], fields["RssAnon"], fields["RssFile"], fields["VmHWM"]


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def form(self, path, fields):
        body = urllib.parse.urlencode(fields).encode()
        return self._send(path, body, "application/x-www-form-urlencoded")

    def json(self, path, value):
        return self._send(path, json.dumps(value).encode(), "application/json")

    def upload(self, name, content):
        return self._send(f"/api/imports/upload?name={name}", content.encode(), "text/csv")

    def _send(self, path, body, content_type):
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=600) as response:
            return json.loads(response.read() or b"null")


def partners_csv(rows, prefix, note_bytes=0):
    note = "x" * note_bytes
    lines = ["Partner ID,Company,Type,Tier,Commission %,Notes"]
    lines += [f"{prefix}-{i},{prefix} Partner {i},referral,gold,10,{note}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def main():
    work = tempfile.mkdtemp(prefix="pa-memory.")
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{work}/memory.db?mode=rwc",
        LEPTOS_SITE_ADDR=f"127.0.0.1:{port}",
        LEPTOS_SITE_ROOT=os.path.join(ROOT, "target", "site"),
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        RUST_LOG="warn",
    )
    exe = binary()
    subprocess.run([exe, "seed", "--deals", "200"], env=env, check=True, capture_output=True)
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([exe, "serve"], env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        report = []

        print(f"{'':<44}{'RSS':>7}{'heap':>7}{'files':>7}{'peak':>7}  (MB)")

        def mark(step):
            rss, anon, files, peak = memory(server.pid)
            report.append((step, rss, anon, files, peak))
            print(f"{step:<44}{rss:>7}{anon:>7}{files:>7}{peak:>7}", flush=True)

        mark("started")
        admin = Client(base)
        admin.form("/api/auth/sign-in", {"email": "admin@northwind.example", "password": "demo1234"})
        mark("signed in")

        content = partners_csv(10_000, "MEM")
        upload = admin.upload("memory.csv", content)["id"]
        offered = admin.form("/api/imports/preview", {"upload": upload, "kind": "partners"})
        started = time.time()
        import_id = admin.json(
            "/api/imports/start",
            {
                "upload": upload,
                "kind": "partners",
                "mode": "valid_only",
                "mapping": offered["mapping"],
            },
        )
        while True:
            detail = admin.form("/api/imports/get", {"id": str(import_id)})
            if detail["import"]["status"] in ("done", "failed", "cancelled"):
                break
            time.sleep(0.5)
        took = time.time() - started
        imported = detail["import"]
        mark(f"10,000-row import: {imported['created_rows']} created ({took:.0f} s)")

        # 40 MB each: long notes on 40,000 rows.
        big = partners_csv(40_000, "BIG", note_bytes=1_000)
        def send_and_preview(_):
            upload = admin.upload("big.csv", big)["id"]
            admin.form("/api/imports/preview", {"upload": upload, "kind": "partners"})

        for n in range(3):
            send_and_preview(n)
            mark(f"40 MB upload and preview {n + 1}")
        # Four at once, as several people uploading do.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(send_and_preview, range(4)))
        mark("4 concurrent 40 MB uploads and previews")
        time.sleep(15)
        mark("15 s idle")
    finally:
        server.terminate()
        server.wait()
        log.close()


if __name__ == "__main__":
    main()
