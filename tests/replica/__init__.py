"""A replica of the PPRNet blog for the crawler's tests: content, pages and a local server."""
