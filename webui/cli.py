"""`pprsearch`: the command line over the same archive, index and search as the web."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm

from crawler.errors import ProductError

from . import config as settings


class Context:
    """What every command needs: the data folder and its settings, read as the web app reads
    them (defaults, the folder's config.py, the environment)."""

    def __init__(self, data: str | None):
        self.config = settings.load(data)
        self.data = Path(self.config["DATA_DIR"])


@contextmanager
def friendly_errors():
    """The product's own errors as one line and exit status 1; anything else is a bug and keeps
    its traceback."""
    try:
        yield
    except BrokenPipeError:  # `pprsearch export | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except ProductError as exc:
        raise click.ClickException(exc.message) from exc


class _Progress:
    """A tqdm bar fed by the (done, total) callbacks of long work."""

    def __init__(self, label: str):
        self.label = label
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, unit=" entries", file=sys.stderr,
                            leave=False, disable=None)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", metavar="DIR", help="The data folder (default: $PPRSEARCH_DATA or ./instance).")
@click.pass_context
def main(ctx: click.Context, data: str | None) -> None:
    """Search the PPRNet blog's psychotherapy research summaries."""
    with friendly_errors():
        ctx.obj = Context(data)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--source-url", default="", metavar="URL",
              help="The blog listing text pages were copied from (e.g. "
                   "https://socialsciences.uottawa.ca/pprnet/blog): their entries link there.")
@click.pass_obj
def import_(obj: Context, paths: tuple[str, ...], source_url: str) -> None:
    """Import text pages, saved HTML pages or JSON Lines of entries, then update the index."""
    if source_url and not source_url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http:// or https:// address.", param_hint="--source-url")
    from index.ingest import import_paths

    progress = _Progress("indexing")
    with friendly_errors():
        try:
            report = import_paths(
                obj.data, list(paths), progress=progress, source_url=source_url,
                on_file=lambda p: click.echo(f"reading {p}", err=True),
            )
        finally:
            progress.close()
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    c = report.counts
    click.echo(
        f"{report.files} file(s): {c.new + c.updated + c.unchanged} entries "
        f"({c.new} new, {c.updated} updated, {c.unchanged} unchanged)."
    )
    if report.generation:
        click.echo(f"Index {report.generation.name}: {report.generation.entries} entries.")


def _run_job(obj: Context, kind: str, params: dict, label: str):
    """Run a job in the foreground, with the same code and records as an admin's job."""
    from index import jobs

    progress = _Progress(label)
    with friendly_errors():
        job = jobs.Jobs(obj.data).create(kind, params)
        try:
            job = jobs.run(obj.data, job.id, echo=lambda line: tqdm.write(line, file=sys.stderr),
                           progress_bar=progress)
        finally:
            progress.close()
    if job.state != "done":
        raise click.ClickException(f"The {kind} failed: {job.error}")
    return job


@main.command()
@click.option("--reparse", is_flag=True, help="Re-extract entries from the stored pages first (no network).")
@click.pass_obj
def reindex(obj: Context, reparse: bool) -> None:
    """Rebuild the whole index from the archive and swap it in atomically."""
    job = _run_job(obj, "reindex", {"reparse": reparse}, "indexing")
    click.echo(job.log[-1].split(" ", 1)[1] if job.log else "Done.")


@main.command()
@click.option("--base-url", default=None,
              help="The blog's address (default: CRAWL_BASE_URL in the data folder's config.py, "
                   "else the live PPRNet site).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Fetch at most this many pages.")
@click.option("--delay", type=click.FloatRange(min=0), default=None,
              help="Seconds between requests (default: CRAWL_DELAY, 1 unless config.py says otherwise).")
@click.pass_obj
def crawl(obj: Context, base_url: str | None, max_pages: int | None, delay: float | None) -> None:
    """Fetch the blog politely and incrementally into the archive, then update the index."""
    params = {"base_url": base_url or obj.config["CRAWL_BASE_URL"], "max_pages": max_pages,
              "delay": obj.config["CRAWL_DELAY"] if delay is None else delay}
    _run_job(obj, "crawl", params, "crawling")


def _existing(obj: Context) -> None:
    """A read command never creates the data folder it was pointed at: a typo'd --data says so."""
    if not obj.data.is_dir():
        raise click.ClickException(
            f"There is no data folder at {obj.data}. Check --data (or PPRSEARCH_DATA), or "
            "create one with `pprsearch import` or `pprsearch crawl`.")


def _facet_names(service) -> dict[str, list[tuple[str, int]]]:
    """The index's topics and types (as URL parameters name them) with their entry counts."""
    from search.records import SearchRequest

    browse = service.search(SearchRequest(per_page=1))
    return {g.param: [(v.value, v.count) for v in g.values] for g in browse.facets
            if g.param in ("topic", "type")}


def _canonical(names: dict[str, list[tuple[str, int]]], param: str, given: tuple[str, ...]
               ) -> list[str]:
    """Each --topic or --type as the index names it, matched without regard to case; an unknown
    one stops the command, naming the closest known name."""
    import difflib

    known = {name.lower(): name for name, _ in names.get(param, [])}
    out = []
    for value in given:
        found = known.get(" ".join(value.split()).lower())
        if found is None:
            label = {"topic": "topic", "type": "type of research"}[param]
            close = difflib.get_close_matches(value.lower(), list(known), n=1, cutoff=0.4)
            close = close or [k for k in known if value.lower() in k][:1]
            hint = f" Did you mean {known[close[0]]!r}?" if close else ""
            raise click.ClickException(f"There is no {label} called {value!r}.{hint} "
                                       "`pprsearch topics` lists them.")
        out.append(found)
    return out


@main.command()
@click.argument("query", nargs=-1)
@click.option("--topic", multiple=True, help="Only entries with this topic (repeat: all of them).")
@click.option("--type", "type_", multiple=True, help="Only this type of research (repeat: any of them).")
@click.option("--year", multiple=True, help="Only this year (repeat: any of them).")
@click.option("--design", multiple=True,
              help="Only this study design, e.g. 'meta-analysis' (repeat: any of them).")
@click.option("--participants", multiple=True,
              help="Only this participants band: under-100, 100-999, 1000-9999, 10000-plus "
                   "(repeat: any of them).")
@click.option("--sort", default="relevance", show_default=True,
              help="relevance, newest, oldest or participants (most first).")
@click.option("--page", default="1", show_default=True)
@click.option("--per-page", default="10", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print exactly what /api/search answers.")
@click.option("--format", "fmt", type=click.Choice(["ris", "bibtex", "csv", "jsonl"]), default=None,
              help="Write every hit (not one page) in this format, as GET /export does.")
@click.pass_obj
def search(obj: Context, query, topic, type_, year, design, participants, sort, page, per_page,
           as_json, fmt) -> None:
    """Search, as the web page does (query syntax included: participants:>1000, studies:>=10)."""
    from search.params import parse_request
    from search.service import SearchService

    _existing(obj)
    with friendly_errors():
        service = SearchService(obj.data, answer_cache=0)
        if topic or type_:
            names = _facet_names(service)
            topic, type_ = _canonical(names, "topic", topic), _canonical(names, "type", type_)
        params = {"q": [" ".join(query)], "topic": list(topic), "type": list(type_),
                  "year": list(year), "design": list(design), "participants": list(participants),
                  "sort": [sort], "page": [page], "per_page": [per_page]}
        request = parse_request(lambda name: params.get(name, []))
        if fmt:
            _export(obj, service, request, fmt)
            return
        result = service.search(request)
    if as_json:
        click.echo(json.dumps(result.to_dict(base="/"), ensure_ascii=False, indent=2))
        return
    _print_result(result, color=_colour())


def _export(obj: Context, service, request, fmt: str) -> None:
    """Every hit of the search, written as the web's /export writes it."""
    from index.archive import Archive
    from webui.formats.exports import write

    with Archive(obj.data) as archive:
        entries = (e for e in map(archive.get, service.all_ids(request)) if e is not None)
        for piece in write(entries, fmt):
            sys.stdout.write(piece)
    sys.stdout.flush()


def _colour() -> bool:
    """Styles on a terminal only, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _terminal(html: str, color: bool = False) -> str:
    """Snippet or title HTML for a terminal, on one line: marks in bold when `color`, entities
    decoded, line breaks and runs of spaces made one space."""
    from html import unescape

    bold = click.style("\\1", bold=True) if color else "\\1"
    return " ".join(unescape(re.sub(r"<mark>(.*?)</mark>", bold, html)).split())


def _title(html: str, color: bool) -> str:
    """A hit's title: coloured on a terminal, its matched words bold."""
    if not color:
        return _terminal(html)
    parts = re.split(r"(<mark>.*?</mark>)", html)
    return "".join(
        click.style(_terminal(p[6:-7]), fg="cyan", bold=True) if p.startswith("<mark>")
        else click.style(_terminal(p) if p.strip() else p, fg="cyan")
        for p in parts if p)


def _print_result(result, color: bool = False) -> None:
    from .evidence_view import evidence_line

    req = result.request
    how = result.interpreted
    click.echo(_entries(result.total) + (f" for {req.q!r}" if req.q else "")
               + f" (page {req.page} of {result.pages})")
    if how.missing:
        click.echo("No entry mentions " + _words(how.missing) + ".")
    for meaning in how.explained:
        click.echo(f"  ({meaning})")
    if not result.total and req.q and not how.missing and len(how.offers) > 1:
        click.echo("No entry mentions all of these words together.")
    for offer in how.offers:
        click.echo(f"  {_entries(offer.total)} mention {offer.words}: pprsearch search {offer.q}")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion.q}")
    for c in how.corrections:
        click.echo(f"Corrected: {c}")
    if how.partial:
        click.echo("No entry holds every word; showing entries that lack one of them.")
    start = (req.page - 1) * req.per_page
    for n, hit in enumerate(result.hits, start + 1):
        click.echo("")
        click.echo(f"{n}. {_title(hit.title_html, color)}  [{hit.month}]")
        click.echo(f"   {hit.id}")
        if hit.research_type or hit.topics:
            click.echo(f"   {hit.research_type}; " + ", ".join(hit.topics))
        evidence = evidence_line(hit.evidence)
        if evidence:
            click.echo("   Evidence: " + " · ".join(evidence))
        if hit.lacking:
            click.echo(f"   (does not mention {hit.lacking})")
        label = "Practice implications: " if hit.snippet_from == "implications" else ""
        click.echo(f"   {label}{_terminal(hit.snippet_html, color)}")
    for group in result.facets:
        values = ", ".join(f"{v.label or v.value} ({v.count})" for v in group.values[:8])
        if values:
            click.echo(f"\n{group.label}: {values}")


def _words(words) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
# Answers are CPU-bound under the GIL: more threads add memory (a searcher each), not speed.
@click.option("--threads", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--keep-alive", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seconds a client's connection stays open for its next request. 0 closes it "
                   "after each response, so every request goes to whichever worker is free "
                   "(an open connection stays with the worker that accepted it).")
@click.option("--access-log", default=None, metavar="PATH",
              help="Write a line per request to PATH ('-': standard output). Off by default, "
                   "as in gunicorn: it costs about a tenth of a search's time, and a reverse "
                   "proxy in front usually keeps one.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int, threads: int,
          keep_alive: int, access_log: str | None) -> None:
    """Serve the web UI and API with a production WSGI server (gunicorn)."""
    from crawler.logs import setup

    from .server import serve as run

    setup(obj.config["LOG_FORMAT"])
    with friendly_errors():
        run(obj.data, host=host, port=port, workers=workers, threads=threads,
            keep_alive=keep_alive, access_log=access_log, log_format=obj.config["LOG_FORMAT"])


@main.command()
@click.pass_obj
def export(obj: Context) -> None:
    """Write the archive as JSON Lines to standard output (what import reads back)."""
    from crawler.jsonl import dump
    from index.archive import Archive

    _existing(obj)
    with friendly_errors(), Archive(obj.data) as archive:
        for line in dump(archive.entries()):
            click.echo(line)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Entries, topics, types, index version and last crawl."""
    from index.stats import archive_stats

    _existing(obj)
    with friendly_errors():
        figures = archive_stats(obj.data)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(f"Data folder:   {obj.data}")
    click.echo(f"Entries:       {figures['entries']} (tags inferred for {figures['inferred_topics']})")
    click.echo(f"Topics used:   {len(figures['topics'])}")
    for name, count in figures["types"].items():
        click.echo(f"  {name or '(no type)'}: {count}")
    index = figures["index"]
    click.echo(f"Index version: {index['version'] or 'none built yet'}"
               + (f" ({index['entries']} entries, built {index['built_at']})" if index["version"] else ""))
    if not index["analysis_current"]:
        click.echo("Warning:       the index was built by another version of the text analysis; "
                   "run `pprsearch reindex`.")
    retired = figures["retired"]
    click.echo(f"Retired:       {len(retired)}" + (" (no longer on the blog; out of search; "
               "`pprsearch restore-entry ID` brings one back)" if retired else ""))
    for entry in retired:
        click.echo(f"  {entry['id']}  retired {entry['retired_at']}")
    if not index.get("evidence_current", True):
        click.echo("Warning:       the index's evidence was read by other patterns (or not at "
                   "all); run `pprsearch reindex`.")
    crawl = figures["last_crawl"]
    if isinstance(crawl, dict):
        click.echo(f"Last crawl:    {crawl.get('finished_at')} of {crawl.get('base_url')}: {crawl.get('summary', '')}")
    else:
        click.echo(f"Last crawl:    {crawl or 'never'}")


@main.command()
@click.argument("dest", type=click.Path())
@click.pass_obj
def backup(obj: Context, dest: str) -> None:
    """Copy the archive to DEST (a file, or a folder for a dated file), safely while the
    service runs and crawls."""
    from index.backup import backup as copy

    with friendly_errors():
        written = copy(obj.data, dest)
    click.echo(f"Backed up the archive to {written}.")


@main.command()
@click.argument("src", type=click.Path())
@click.option("--force", is_flag=True, help="Replace the data folder's archive even if it holds entries.")
@click.pass_obj
def restore(obj: Context, src: str, force: bool) -> None:
    """Bring back the archive backup SRC into the data folder, then rebuild the index."""
    from index.backup import restore as bring_back

    with friendly_errors():
        restored = bring_back(src, obj.data, force=force)
    generation = restored.generation
    click.echo(f"Restored {restored.entries} entries from {src}; "
               f"index {generation.name}: {generation.entries} entries.")


@main.command()
@click.argument("entry_id", metavar="ID")
@click.pass_obj
def show(obj: Context, entry_id: str) -> None:
    """Print one entry in full: its citation, DOI, address, topics, summary and implications."""
    import textwrap

    from crawler.citation import parse_citation
    from index.archive import Archive

    _existing(obj)
    with friendly_errors(), Archive(obj.data) as archive:
        entry = archive.get(entry_id)
        if entry is None:
            moved = archive.moved_to(entry_id)
            hint = f" It is now {moved}: pprsearch show {moved}" if moved else \
                " `pprsearch search WORDS` finds entries and their IDs."
            raise click.ClickException(f"There is no entry {entry_id!r}.{hint}")
        retired = archive.retired_at(entry.id)
    color = _colour()
    width = min(shutil.get_terminal_size((88, 24)).columns, 100)

    def para(text: str, indent: str = "") -> None:
        for block in text.split("\n\n"):
            if block.strip():
                click.echo(textwrap.fill(" ".join(block.split()), width=width,
                                         initial_indent=indent, subsequent_indent=indent))
                click.echo("")

    def heading(text: str) -> None:
        click.echo(click.style(text, bold=True) if color else text)

    click.echo(click.style(entry.title, fg="cyan", bold=True) if color else entry.title)
    click.echo(f"{entry.month}" + (f" · {entry.research_type}" if entry.research_type else ""))
    if entry.topics:
        click.echo("Topics: " + ", ".join(entry.topics))
    if retired:
        click.echo(f"Retired {retired}: the blog no longer lists it.")
    click.echo("")
    if entry.citation:
        para(entry.citation)
    doi = entry.doi or parse_citation(entry.citation).doi
    if doi:
        click.echo(f"DOI:     https://doi.org/{doi}")
    click.echo(f"Address: {entry.url or 'not recorded (imported without one)'}")
    click.echo(f"ID:      {entry.id}")
    click.echo("")
    heading("Summary")
    para(entry.summary)
    if entry.implications:
        heading("Practice Implications")
        para(entry.implications)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def topics(obj: Context, as_json: bool) -> None:
    """The topics and types of research searched, with how many entries each has."""
    from search.service import SearchService

    _existing(obj)
    with friendly_errors():
        names = _facet_names(SearchService(obj.data, answer_cache=0))
    if as_json:
        click.echo(json.dumps({param: [{"name": n, "count": c} for n, c in values]
                               for param, values in names.items()}, ensure_ascii=False, indent=2))
        return
    for param, title in (("topic", "Topics"), ("type", "Types of research")):
        values = names.get(param, [])
        click.echo(f"{title} ({len(values)}):")
        wide = max((len(str(c)) for _, c in values), default=1)
        for name, count in values:
            click.echo(f"  {count:>{wide}}  {name}")
        click.echo("")
    click.echo("Filter a search by one: pprsearch search WORDS --topic NAME --type NAME "
               "(any case).")


@main.command("restore-entry")
@click.argument("entry_id", metavar="ID")
@click.pass_obj
def restore_entry(obj: Context, entry_id: str) -> None:
    """Bring back an entry a crawl retired (the blog stopped listing it), then update the index."""
    from index.archive import Archive
    from index.presence import restore
    from index.rebuild import rebuild

    with friendly_errors():
        with Archive(obj.data) as archive:
            restored = restore(archive, entry_id)
        generation = rebuild(obj.data)
    click.echo(f"Restored {restored}; index {generation.name}: {generation.entries} entries.")


if __name__ == "__main__":  # pragma: no cover
    main()
