"""`pprsearch`: the command line over the same archive, index and search as the web."""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager

import click
from tqdm import tqdm

from crawler.errors import CrawlerError
from index.errors import IndexError_
from search.errors import SearchError

from . import config as settings

_EXPECTED_ERRORS = (CrawlerError, IndexError_, SearchError, OSError, ValueError)


class Context:
    """What every command needs: the data folder and the settings."""

    def __init__(self, data: str | None):
        self.environ = dict(os.environ)
        self.data = settings.data_dir(data, self.environ)
        self.config = settings.from_environment(self.environ)

    def answer_cache(self) -> int:
        return settings.answer_cache_size(self.config.get("ANSWER_CACHE", settings.DEFAULTS["ANSWER_CACHE"]))


@contextmanager
def friendly_errors():
    """Errors a person can act on, as one line and exit status 1; never a traceback."""
    try:
        yield
    except BrokenPipeError:  # `pprsearch export | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except _EXPECTED_ERRORS as exc:
        raise click.ClickException(str(exc)) from exc


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
@click.option("--base-url", default=None, help="The blog's address (default: the live PPRNet site).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Fetch at most this many pages.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, help="Seconds between requests.")
@click.pass_obj
def crawl(obj: Context, base_url: str | None, max_pages: int | None, delay: float) -> None:
    """Fetch the blog politely and incrementally into the archive, then update the index."""
    _run_job(obj, "crawl", {"base_url": base_url, "max_pages": max_pages, "delay": delay}, "crawling")


@main.command()
@click.argument("query", nargs=-1)
@click.option("--topic", multiple=True, help="Only entries with this topic (repeat: all of them).")
@click.option("--type", "type_", multiple=True, help="Only this type of research (repeat: any of them).")
@click.option("--year", multiple=True, help="Only this year (repeat: any of them).")
@click.option("--sort", default="relevance", show_default=True, help="relevance, newest or oldest.")
@click.option("--page", default="1", show_default=True)
@click.option("--per-page", default="10", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print exactly what /api/search answers.")
@click.option("--format", "fmt", type=click.Choice(["ris", "bibtex", "csv", "jsonl"]), default=None,
              help="Write every hit (not one page) in this format, as GET /export does.")
@click.pass_obj
def search(obj: Context, query, topic, type_, year, sort, page, per_page, as_json, fmt) -> None:
    """Search, as the web page does."""
    from search.params import parse_request
    from search.service import SearchService

    params = {"q": [" ".join(query)], "topic": list(topic), "type": list(type_),
              "year": list(year), "sort": [sort], "page": [page], "per_page": [per_page]}
    with friendly_errors():
        request = parse_request(lambda name: params.get(name, []))
        service = SearchService(obj.data, answer_cache=0)
        if fmt:
            _export(obj, service, request, fmt)
            return
        result = service.search(request)
    if as_json:
        click.echo(json.dumps(result.to_dict(base="/"), ensure_ascii=False, indent=2))
        return
    _print_result(result)


def _export(obj: Context, service, request, fmt: str) -> None:
    """Every hit of the search, written as the web's /export writes it."""
    from index.archive import Archive
    from webui.formats.exports import write

    with Archive(obj.data) as archive:
        entries = (e for e in map(archive.get, service.all_ids(request)) if e is not None)
        for piece in write(entries, fmt):
            sys.stdout.write(piece)
    sys.stdout.flush()


def _terminal(html: str) -> str:
    """Snippet HTML for a terminal: marks in bold, entities decoded."""
    from html import unescape

    bold = click.style("\\1", bold=True) if sys.stdout.isatty() else "\\1"
    return unescape(re.sub(r"<mark>(.*?)</mark>", bold, html))


def _print_result(result) -> None:
    req = result.request
    click.echo(f"{result.total} entries" + (f" for {req.q!r}" if req.q else "")
               + f" (page {req.page} of {result.pages})")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion.q}")
    for c in result.interpreted.corrections:
        click.echo(f"Corrected: {c}")
    if result.interpreted.partial:
        click.echo("No entry holds every word; showing entries that hold most of them.")
    start = (req.page - 1) * req.per_page
    for n, hit in enumerate(result.hits, start + 1):
        click.echo("")
        click.echo(f"{n}. {_terminal(hit.title_html)}  [{hit.month}]")
        click.echo(f"   {hit.id}")
        if hit.research_type or hit.topics:
            click.echo(f"   {hit.research_type}; " + ", ".join(hit.topics))
        click.echo(f"   {_terminal(hit.snippet_html)}")
    for group in result.facets:
        values = ", ".join(f"{v.value} ({v.count})" for v in group.values[:8])
        if values:
            click.echo(f"\n{group.label}: {values}")


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
    from .server import serve as run

    with friendly_errors():
        run(obj.data, host=host, port=port, workers=workers, threads=threads,
            keep_alive=keep_alive, access_log=access_log)


@main.command()
@click.pass_obj
def export(obj: Context) -> None:
    """Write the archive as JSON Lines to standard output (what import reads back)."""
    from crawler.jsonl import dump
    from index.archive import Archive

    with friendly_errors(), Archive(obj.data) as archive:
        for line in dump(archive.entries()):
            click.echo(line)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Entries, topics, types, index version and last crawl."""
    from index.stats import archive_stats

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
    crawl = figures["last_crawl"]
    if isinstance(crawl, dict):
        click.echo(f"Last crawl:    {crawl.get('finished_at')} of {crawl.get('base_url')}: {crawl.get('summary', '')}")
    else:
        click.echo(f"Last crawl:    {crawl or 'never'}")


if __name__ == "__main__":  # pragma: no cover
    main()
