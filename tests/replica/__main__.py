"""Serve the replica by hand (`cd tests && python -m replica`) to try `pprsearch crawl` on it."""

import sys
import time

from .app import Replica, serve

if __name__ == "__main__":
    with serve(Replica()) as base_url:
        print(f"replica blog at {base_url}  (try: pprsearch crawl --base-url {base_url} --delay 0.1)")
        print("Ctrl-C to stop", file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
