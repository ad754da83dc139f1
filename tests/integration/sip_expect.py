"""Arithmetic shared by the SIP tests: exact times in integer nanoseconds, tshark values parsed
without float rounding, and the SPEC §3.1/§3.2 rules restated independently of the plugin."""
# SPDX-License-Identifier: GPL-2.0-or-later
import calendar
import datetime
import re
from decimal import Decimal

S = 10**9
MS = 10**6
US = 10**3


def utc(text):
    """'2023-05-09 22:56:17.457226' -> ns since the epoch."""
    date, _, frac = text.partition(".")
    t = datetime.datetime.strptime(date, "%Y-%m-%d %H:%M:%S")
    return calendar.timegm(t.timetuple()) * S + int((frac + "000000000")[:9])


def rel(value):
    """A relative-time field value ('-11.820250000') -> ns."""
    return int(Decimal(value) * S)


def absolute(value):
    """An absolute-time field value -> ns. Up to Wireshark 4.4 tshark prints it as
    'May  9, 2023 23:10:23.997606000 UTC' (the tests run with TZ=UTC), from 4.6 in ISO 8601 with
    its UTC offset: '2023-05-09T23:10:23.997606000+0000'."""
    v = " ".join(value.split())
    iso = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d+)(Z|([+-])(\d\d):?(\d\d))", v)
    if iso:
        t = datetime.datetime.strptime(iso[1], "%Y-%m-%dT%H:%M:%S")
        frac = iso[2]
        offset = 0 if iso[3] == "Z" else (-1 if iso[4] == "-" else 1) * (int(iso[5]) * 3600 + int(iso[6]) * 60)
    else:
        for suffix in (" UTC", " GMT"):
            if v.endswith(suffix):
                v = v[: -len(suffix)]
        date, frac = v.rsplit(".", 1)
        t, offset = datetime.datetime.strptime(date, "%b %d, %Y %H:%M:%S"), 0
    return (calendar.timegm(t.timetuple()) - offset) * S + int((frac + "000000000")[:9])


def epoch(value):
    """frame.time_epoch ('1645515995.292160000') -> ns."""
    return int(Decimal(value) * S)


def by_frame(rows):
    return {int(r["frame.number"][0]): r for r in rows}


def forecast(gap, prev_gap, expected, slack, period, lateness=0, horizon=10):
    """SPEC §3.2 breach forecast: project the gap growing by the last ratio until it exceeds the
    slack the phone's cadence leaves (each refresh as late as the last, `lateness`); each projected
    refresh is expected one period after the previous late delivery.
    Returns (refreshes, breach time, projected gap) or None."""
    ratio = gap / prev_gap
    projected = float(gap)
    for n in range(1, horizon + 1):
        projected *= ratio
        g = round(projected)
        if g > slack - lateness:
            return n, expected + slack, g
        expected += lateness + g + period
    return None


def first_frame_after(times, t):
    """1-based number of the first frame whose time is past t (times in file order), or None."""
    for i, ft in enumerate(times):
        if ft > t:
            return i + 1
    return None


def group_lines(text):
    """{group title: {label: value}} of one frame's Keepalive Analysis tree in -O output. A group's
    title is generated text without a label: "[Timing]"."""
    groups, current = {}, None
    for line in text.splitlines():
        title = line.strip()
        if line.startswith("    [") and not line.startswith("        ") and ": " not in title:
            current = groups.setdefault(title[1:-1], {})
        elif line.startswith("        [") and current is not None:
            label, _, value = line.strip()[1:-1].partition(": ")
            current[label] = value
        elif not line.startswith("        "):
            current = None
    return groups
