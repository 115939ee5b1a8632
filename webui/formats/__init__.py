"""Writers of the formats people take entries away in: citations, exports, feeds, XML for browsers.

Each module writes one format from records (crawler.reference.Reference, crawler.records.Entry);
none reads a request or touches the archive.
"""
