"""The XML a browser or crawler reads about the site: the OpenSearch description and the sitemap."""

from __future__ import annotations

from typing import Iterable
from xml.etree import ElementTree as ET

OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
OPENSEARCH_TYPE = "application/opensearchdescription+xml; charset=utf-8"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_TYPE = "application/xml; charset=utf-8"


def opensearch(search_url: str, feed_url: str, icon_url: str, description_url: str) -> bytes:
    """A description letting a browser search the site from its address bar.

    The URLs end in "?q=" and get "{searchTerms}" added; suggestions are left out (none offered).
    """
    ET.register_namespace("", OPENSEARCH)
    root = ET.Element(f"{{{OPENSEARCH}}}OpenSearchDescription")

    def sub(tag: str, text: str = "", **attrs) -> ET.Element:
        element = ET.SubElement(root, f"{{{OPENSEARCH}}}{tag}", attrs)
        if text:
            element.text = text
        return element

    sub("ShortName", "PPRNet Search")
    sub("Description", "Search the PPRNet blog's plain-language summaries of psychotherapy research.")
    sub("InputEncoding", "UTF-8")
    sub("Image", icon_url, type="image/svg+xml", width="16", height="16")
    sub("Url", type="text/html", method="get", template=search_url + "{searchTerms}")
    sub("Url", type="application/atom+xml", template=feed_url + "{searchTerms}")
    sub("Url", type="application/opensearchdescription+xml", rel="self", template=description_url)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def sitemap(pages: Iterable[tuple[str, str]]) -> bytes:
    """A sitemap of (address, last modified as YYYY-MM-DD) pairs."""
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for loc, lastmod in pages:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = loc
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
