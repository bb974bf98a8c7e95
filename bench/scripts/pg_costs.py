#!/usr/bin/env python3
"""What one message and one delivery cost a PostgreSQL primary: WAL bytes, commits, rows touched.

Starts one Herald process (the benchmark's Release build) on an empty PostgreSQL database, a receiver that answers
204 (or 500 on /fail), and publishes in phases, reading pg_current_wal_lsn(), pg_stat_database and
pg_stat_user_tables before and after each:

  idle     nothing published for --idle seconds (Herald's own background writes: heartbeats, health probe)
  ingest   N messages to an application without endpoints
  deliver  N messages to an application with one endpoint answering 204 (one delivery, one attempt each)
  fanout   N/10 messages to an application with 10 endpoints (N deliveries)
  fail     N messages to an endpoint answering 500 (one failed attempt each, the delivery rescheduled)

Each phase waits until every attempt is in the attempts table, then 2 s more for the statistics to be flushed, and
subtracts the idle rate of WAL and commits for its duration. Usage (PostgreSQL must be running; the database empty):

  python3 bench/scripts/pg_costs.py --postgres "Host=127.0.0.1;Port=55491;Username=herald;Database=herald_costs" \
      --psql "psql -h 127.0.0.1 -p 55491 -U herald -d herald_costs" -n 2000
"""
import argparse
import http.client
import http.server
import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "Herald.Bench", "bin", "Release", "net10.0", "herald-server", "Herald.Server.dll")
MAIN_KEY = "YmVuY2gtb25seSBtYWluIGtleSwgbm90IHNlY3JldCE="  # the benchmark's throwaway main key
PAYLOAD = json.dumps({"t": 0, "seq": 0, "data": "x" * 160})  # the benchmark's ~200-byte payload


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(500 if self.path.startswith("/fail") else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Herald:
    def __init__(self, port, token):
        self.port, self.token = port, token
        self.local = threading.local()

    def call(self, method, path, body=None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, data, {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        text = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:200]!r}")
        return json.loads(text) if text else None


def snapshot(psql):
    sql = (
        "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),"
        " (SELECT count(*) FROM attempts), (SELECT json_object_agg(relname, json_build_array(n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd))"
        " FROM pg_stat_user_tables)"
    )
    out = subprocess.run(shlex.split(psql) + ["-tAF", "|", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()
    wal, commits, attempts, tables = out.split("|", 3)
    return {"wal": int(wal), "commits": int(commits), "attempts": int(attempts), "tables": json.loads(tables), "at": time.monotonic()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="Npgsql connection string for Herald")
    parser.add_argument("--psql", required=True, help="psql command line for the same database")
    parser.add_argument("-n", type=int, default=2000, help="messages per phase (default 2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent publishers (default 8)")
    parser.add_argument("--idle", type=float, default=10, help="seconds of the idle phase (default 10)")
    args = parser.parse_args()

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    rport = receiver.server_address[1]
    port, token = free_port(), "herald_sk_bench_" + secrets.token_hex(24)
    data = tempfile.mkdtemp(prefix="herald-pgcosts-")
    env = dict(os.environ, ASPNETCORE_ENVIRONMENT="Production", Herald__Storage__Provider="postgres",
               Herald__Storage__ConnectionString=args.postgres, Herald__Secrets__MainKey=MAIN_KEY,
               Herald__Storage__DataDirectory=data, Herald__Auth__AdminToken=token,
               Herald__Delivery__AllowedNetworks__0="127.0.0.0/8")
    server = subprocess.Popen(["dotnet", SERVER, "--urls", f"http://127.0.0.1:{port}"], cwd=os.path.dirname(SERVER), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    herald = Herald(port, token)
    try:
        for _ in range(120):
            try:
                herald.call("GET", "/api/v1/health")
                break
            except Exception:
                herald.local.conn = None
                time.sleep(0.5)

        def app(uid, endpoints, path="ok"):
            herald.call("POST", "/api/v1/app", {"name": uid, "uid": uid})
            for i in range(endpoints):
                herald.call("POST", f"/api/v1/app/{uid}/endpoint", {"url": f"http://127.0.0.1:{rport}/{path}/{uid}/{i}", "uid": f"ep-{i}"})
            return uid

        def publish(uid, count):
            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(lambda _: herald.call("POST", f"/api/v1/app/{uid}/msg", {"eventType": "bench.event", "payload": json.loads(PAYLOAD)}), range(count)))

        n = args.n
        phases = [("ingest", app("ingest", 0), n, 0), ("deliver", app("deliver", 1), n, n),
                  ("fanout", app("fanout", 10), n // 10, n // 10 * 10), ("fail", app("fail", 1, "fail"), n, n)]
        time.sleep(2)
        before = snapshot(args.psql)
        time.sleep(args.idle)
        after = snapshot(args.psql)
        idle_seconds = after["at"] - before["at"]
        idle_wal = (after["wal"] - before["wal"]) / idle_seconds
        idle_commits = (after["commits"] - before["commits"]) / idle_seconds
        print(f"idle: {idle_wal:,.0f} WAL bytes/s, {idle_commits:,.1f} commits/s (subtracted below)")
        results = []
        for name, uid, messages, attempts in phases:
            before = snapshot(args.psql)
            started = time.monotonic()
            publish(uid, messages)
            published = time.monotonic() - started
            while snapshot(args.psql)["attempts"] < before["attempts"] + attempts:
                time.sleep(0.2)
            time.sleep(2)
            after = snapshot(args.psql)
            seconds = after["at"] - before["at"]
            wal = after["wal"] - before["wal"] - idle_wal * seconds
            commits = after["commits"] - before["commits"] - idle_commits * seconds
            rows = {t: [after["tables"][t][k] - before["tables"].get(t, [0, 0, 0, 0])[k] for k in range(4)] for t in after["tables"]}
            rows = {t: v for t, v in rows.items() if any(v)}
            results.append({"phase": name, "messages": messages, "attempts": attempts, "publishSeconds": round(published, 2),
                            "walBytes": round(wal), "commits": round(commits), "rows": rows})
            per = messages if attempts == 0 or name == "ingest" else attempts
            print(f"{name}: {messages} messages, {attempts} attempts, published in {published:.1f} s ({messages / published:,.0f}/s); "
                  f"WAL {wal / per:,.0f} bytes and {commits / per:.2f} commits per {'message' if name == 'ingest' else 'delivery'}")
            for table, (ins, upd, dele, hot) in sorted(rows.items()):
                print(f"    {table}: {ins / per:.2f} inserted, {upd / per:.2f} updated ({hot / per:.2f} HOT), {dele / per:.2f} deleted per unit")
        print(json.dumps({"idleWalBytesPerSecond": round(idle_wal), "idleCommitsPerSecond": round(idle_commits, 1), "phases": results}))
    finally:
        server.terminate()
        server.wait(30)
        receiver.shutdown()


if __name__ == "__main__":
    sys.exit(main())
