"""The CDNOW 1/10 sample (2,357 customers who first bought from CDNOW in the
first quarter of 1997, 6,919 purchases up to June 1998), the data set of
Fader, Hardie & Lee (2005). It ships in the PyPI package lifetimes 0.11.3,
pinned by hash in ``requirements/test-data.txt``: ``scripts/setup.sh``
downloads the wheel into ``.local/cache/test-data``; this module downloads
it there itself if it is missing, and reads the sample from the wheel
without installing or importing lifetimes."""
import collections
import datetime
import glob
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".local", "cache", "test-data")
REQUIREMENTS = os.path.join(ROOT, "requirements", "test-data.txt")
MEMBER = "lifetimes/datasets/CDNOW_sample.txt"
# The paper's calibration period: 39 weeks, 1997-01-01 .. 1997-09-30.
CALIBRATION_END = datetime.date(1997, 9, 30)

Purchase = collections.namedtuple("Purchase", ["customer", "day", "cds", "value"])


def _wheel():
    found = glob.glob(os.path.join(CACHE, "[Ll]ifetimes-0.11.3-*.whl"))
    if not found:
        os.makedirs(CACHE, exist_ok=True)
        subprocess.check_call(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--require-hashes",
                "-r",
                REQUIREMENTS,
                "-d",
                CACHE,
            ]
        )
        found = glob.glob(os.path.join(CACHE, "[Ll]ifetimes-0.11.3-*.whl"))
    return found[0]


def purchases():
    """Every line of the sample: customer id, day, number of CDs, dollars."""
    with zipfile.ZipFile(_wheel()) as wheel:
        text = wheel.read(MEMBER).decode("ascii")
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        _master, customer, day, cds, value = line.split()
        rows.append(
            Purchase(
                int(customer),
                datetime.datetime.strptime(day, "%Y%m%d").date(),
                int(cds),
                float(value),
            )
        )
    return rows


def calibration_summary(end=CALIBRATION_END, unit_days=7.0):
    """Per customer (x, t_x, T, m_x) at ``end`` as the paper defines them,
    in units of ``unit_days`` (weeks by default): a transaction is a day
    with purchases, of their summed value; x = transactions after the
    first, t_x and T from the first transaction to the last and to
    ``end``; m_x the mean value of the x repeat transactions (0 if none)."""
    days = collections.defaultdict(float)
    for row in purchases():
        if row.day <= end:
            days[row.customer, row.day] += row.value
    by_customer = collections.defaultdict(list)
    for (customer, day), value in sorted(days.items()):
        by_customer[customer].append((day, value))
    summary = []
    for customer, transactions in sorted(by_customer.items()):
        first, last = transactions[0][0], transactions[-1][0]
        x = len(transactions) - 1
        repeat_value = sum(value for _day, value in transactions[1:])
        summary.append(
            (
                x,
                (last - first).days / unit_days,
                (end - first).days / unit_days,
                repeat_value / x if x else 0.0,
            )
        )
    return summary
