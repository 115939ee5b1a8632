"""Serve the replica by hand (`cd tests && python -m replica`) to try `pprsearch crawl` on it;
`python -m replica --later` serves its second state (a post retitled, one removed, one moved)."""

import sys
import time

from .app import Replica, serve
from .content import POSTS_LATER

if __name__ == "__main__":
    later = "--later" in sys.argv[1:]
    with serve(Replica(posts=list(POSTS_LATER)) if later else Replica()) as base_url:
        print(f"replica blog at {base_url}  (try: pprsearch crawl --base-url {base_url} --delay 0.1)")
        print("Ctrl-C to stop", file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
