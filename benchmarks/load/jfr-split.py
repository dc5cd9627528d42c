#!/usr/bin/env python3
"""Where the CPU of an HTTP run goes, by layer: of the JFR execution samples taken at or after a
start time (HH:MM:SS, UTC, as `date -u +%H:%M:%S` printed it), the share whose stack contains each
layer's frames (a sample counts for every layer on its stack, so shares add up to more than 100 %),
the share per thread pool, and the hottest top frames. Used by run.sh with PROFILE=1; the "before"
and "after" profiles in docs/BENCHMARKS.md are its output.

    python3 jfr-split.py recording.jfr 14:05:00 [top-frames]
"""
import collections
import re
import subprocess
import sys

LAYERS = [  # label, regular expression over the frames of one sample
    ("servlet container (catalina, grizzly)", r"org\.apache\.catalina\.|org\.glassfish\.grizzly\."),
    ("Jersey", r"org\.glassfish\.jersey\."),
    ("HK2 (Jersey's injection)", r"org\.jvnet\.hk2\.|org\.glassfish\.hk2\."),
    ("Weld (CDI contexts and proxies)", r"org\.jboss\.weld\."),
    ("Payara telemetry (per-request span)", r"fish\.payara\.microprofile\.telemetry\.|io\.opentelemetry\."),
    ("managed-executor context capture", r"ContextSetupProviderImpl\.saveContext"),
    ("batpak web (resources, auth, bodies)", r"io\.batpak\.web\."),
    ("token verification", r"io\.batpak\.web\.TokenVerifier\.|org\.jose4j\."),
    ("JSON-P (Parsson)", r"org\.eclipse\.parsson\."),
    ("batpak ee (gates, CDI store)", r"io\.batpak\.ee\."),
    ("batpak engine (append, writer, fsync)", r"io\.batpak\.engine\."),
]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    recording, start = sys.argv[1], sys.argv[2]
    top_n = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    text = subprocess.run(["jfr", "print", "--stack-depth", "128", "--events", "jdk.ExecutionSample", recording],
                          capture_output=True, text=True, check=True).stdout
    samples = []
    for event in text.split("jdk.ExecutionSample")[1:]:
        when = re.search(r"startTime = (\d\d:\d\d:\d\d)", event)
        if when is None or when.group(1) < start:
            continue
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        samples.append((thread.group(1) if thread else "?", frames))
    n = len(samples)
    if n == 0:
        sys.exit("no execution samples after " + start)
    print(f"{n} execution samples from {start} on")
    print("\nshare of samples whose stack contains:")
    for label, pattern in LAYERS:
        hits = sum(1 for _, frames in samples if re.search(pattern, " ".join(frames)))
        print(f"  {100 * hits / n:5.1f} %  {label}")
    print("\nshare by thread:")
    pools = collections.Counter(re.sub(r"\d+", "N", t) for t, _ in samples)
    for pool, c in pools.most_common(8):
        print(f"  {100 * c / n:5.1f} %  {pool}")
    print("\nhottest top frames:")
    tops = collections.Counter(frames[0] for _, frames in samples if frames)
    for frame, c in tops.most_common(top_n):
        print(f"  {100 * c / n:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
