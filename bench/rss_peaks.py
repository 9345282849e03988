"""Peak RSS of a build's processes, the main one apart from its children (Linux).

    .venv/bin/python bench/rss_peaks.py .venv/bin/sitegen build --root SITE -v

Runs the command and samples the resident size (VmRSS) of its process and of every
descendant every 0.2 s, then prints the main process's peak, the peak at each depth of
children (stage processes at 1, their pool workers at 2) and when each came. `run.py`
reports only the largest process (GNU time's %M, as the peers are measured); this says
which one it is. A forked child's RSS counts the pages it still shares with its parent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

SAMPLE_SECONDS = 0.2


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:  # the process ended between two reads
        pass
    return found


def _rss_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    build = subprocess.Popen(sys.argv[1:])
    start = time.monotonic()
    main_peak = (0, 0.0)
    child_peak = (0, 0.0, 0)
    by_depth: dict[int, int] = {}
    while build.poll() is None:
        now = time.monotonic() - start
        main_peak = max(main_peak, (_rss_mb(build.pid), now))
        pending = [(child, 1) for child in _children(build.pid)]
        sizes: list[int] = []
        while pending:
            pid, depth = pending.pop()
            sizes.append(_rss_mb(pid))
            by_depth[depth] = max(by_depth.get(depth, 0), sizes[-1])
            pending += [(grandchild, depth + 1) for grandchild in _children(pid)]
        if sizes and max(sizes) > child_peak[0]:
            child_peak = (max(sizes), now, len(sizes))
        time.sleep(SAMPLE_SECONDS)
    print(f"main process: peak {main_peak[0]} MB at {main_peak[1]:.1f} s")
    print(f"children: peak {child_peak[0]} MB at {child_peak[1]:.1f} s ({child_peak[2]} alive then); "
          f"by depth {dict(sorted(by_depth.items()))}")
    return build.returncode


if __name__ == "__main__":
    sys.exit(main())
