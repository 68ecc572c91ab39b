"""The real scheduled action in a multi-worker server (issue 21, item 4):
on a bench database, the nightly run as Odoo's cron worker runs it, end to
end, timed from the server's log.

1. The pyramid of every company is computed the day before the data's last
   day (committed; the history after that day is removed first, as if the
   server had run every night until then): what the scheduled action finds.
2. An Odoo server starts with ``--workers=2 --max-cron-threads=1`` and
   Odoo's default limits (``limit_time_real`` 120 s, which the cron worker
   also takes as ``limit_time_real_cron``), unless ``--server-args`` says
   otherwise; the scheduled action "Customer pyramid: recompute every
   company" is due at once. The cron worker's limit starts at its ping to
   the server's watchdog, before it sleeps 60 s plus its process id modulo
   10 and polls: a job has the limit less that sleep.
3. The log is read as it grows: the cron worker picks the action up (it
   polls the database once a minute), each company's recompute logs its
   start and its end; the run ends when the action is done, failed or the
   worker is stopped by the server's limit. The server is stopped then.

Reported: per company the seconds between its "recompute starts" and its
"done" lines, the whole action from the first to the last, and what ended it.

Usage (Odoo venv Python, the project's environment):
    cron.py --db rp_bench_l [--port 8479] [--timeout 900] [--out FILE]
            [--server-args "--limit-time-real=300"]
"""
import argparse
import datetime
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

_logger = benchlib.setup_logging("cron")

CRON_XMLID = "relation_pyramid.ir_cron_recompute_pyramid"
LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \d+ (\w+) (\S+) (\S+): (.*)$"
)
START = re.compile(r"Customer pyramid of (.+) at (\S+): recompute starts")
DONE = re.compile(r"Customer pyramid of (.+) at (\S+): snapshot \d+ written .*done")
FAILED = re.compile(r"Customer pyramid of (.+): recompute failed")
STOPPED = re.compile(r"(time limit|timeout|Worker .* killed|virtual real time)", re.I)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8479)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--server-args", default="")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="keep the pyramids as they are (computed the day before by an "
        "earlier run) instead of computing them again",
    )
    parser.add_argument("--out", help="write the results as JSON here")
    return parser.parse_args(argv)


def prepare(registry, as_is=False):
    """The pyramids computed the day before the last day (unless
    ``as_is``), committed; the scheduled action due now. Returns the last
    day."""
    with benchlib.odoo_env(registry) as env:
        params = benchlib.get_params(env.cr.dbname)
        last = datetime.datetime.strptime(params["end_date"], "%Y-%m-%d").date()
        day_before = last - relativedelta(days=1)
        profiles = env["relation.pyramid.profile"]._ensure_profiles()
        if as_is:
            profiles = profiles.browse()
        env.cr.execute(
            "DELETE FROM relation_pyramid_snapshot WHERE date > %s", (day_before,)
        )
        for profile in profiles:
            started = time.perf_counter()
            profile._lock_company(wait_for_refreshes=True)
            profile._recompute(day_before)
            _logger.info(
                "%s computed at %s in %.1f s",
                profile.company_id.name,
                day_before,
                time.perf_counter() - started,
            )
        cron = env.ref(CRON_XMLID)
        cron.write(
            {
                "active": True,
                "nextcall": (datetime.datetime.utcnow() - relativedelta(minutes=1))
                .strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
        env.cr.commit()
    return last


def run_server(args, log_path):
    command = [
        os.path.join(benchlib.ROOT, "bin", "odoo"),
        "-d",
        args.db,
        "--db-filter=^%s$" % re.escape(args.db),
        "--workers=2",
        "--max-cron-threads=1",
        "--http-port=%d" % args.port,
        "--logfile=%s" % log_path,
    ] + shlex.split(args.server_args)
    _logger.info("server: %s", " ".join(command))
    return subprocess.Popen(command, preexec_fn=os.setsid)


def follow(log_path, deadline):
    """Read the server's log until the action ends; its events."""
    events = {"starts": {}, "done": {}, "failed": [], "stopped": []}
    position = 0
    while time.time() < deadline:
        time.sleep(1)
        if not os.path.exists(log_path):
            continue
        with open(log_path) as log:
            log.seek(position)
            lines = log.readlines()
            position = log.tell()
        for line in lines:
            match = LINE.match(line)
            if not match:
                continue
            stamp = datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            message = match.group(5)
            if START.search(message):
                events["starts"][START.search(message).group(1)] = stamp
            elif DONE.search(message):
                events["done"][DONE.search(message).group(1)] = stamp
            elif FAILED.search(message):
                events["failed"].append((FAILED.search(message).group(1), stamp))
            elif STOPPED.search(message):
                events["stopped"].append((message, stamp))
        started = set(events["starts"])
        ended = set(events["done"]) | {name for name, _stamp in events["failed"]}
        if events["stopped"] or (started and started <= ended and _idle(events)):
            return events
    events["stopped"].append(("bench timeout", datetime.datetime.utcnow()))
    return events


def _idle(events):
    """All companies seen so far ended; wait a moment for a next one."""
    last = max(list(events["done"].values()) + [s for _n, s in events["failed"]])
    return (datetime.datetime.now() - last).total_seconds() > 5


def main():
    args = parse_args()
    with benchlib.odoo_registry(args.db) as registry:
        last = prepare(registry, args.as_is)
    log_path = os.path.join(benchlib.LOCAL, "log", "bench-cron-%s.log" % args.db)
    if os.path.exists(log_path):
        os.remove(log_path)
    server = run_server(args, log_path)
    try:
        events = follow(log_path, time.time() + args.timeout)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    companies = {
        name: round((events["done"][name] - start).total_seconds(), 1)
        for name, start in events["starts"].items()
        if name in events["done"]
    }
    stamps = list(events["starts"].values()) + list(events["done"].values())
    result = {
        "db": args.db,
        "reference_date": str(last),
        "server_args": "--workers=2 --max-cron-threads=1 " + args.server_args,
        "companies_s": companies,
        "action_s": round((max(stamps) - min(stamps)).total_seconds(), 1)
        if stamps
        else None,
        "failed": [name for name, _stamp in events["failed"]],
        "stopped": [message for message, _stamp in events["stopped"]],
    }
    _logger.info("%s", json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
