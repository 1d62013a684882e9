"""Stage 5: render the planned pages whose fingerprints changed, finding each page's links as
it is made. No files are read or written here beyond the layouts, but for what the caller's
`stage` writes in a forked worker."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import jinja2
import jinja2.filters
from jinja2 import pass_context, pass_environment

from .content import Article, note_text_read, text_reads
from .errors import Problem, SiteError
from .fingerprint import TEXT_FIELDS, data_key, field_names, page_key
from .fingerprint import template_keys as template_keys_of
from .links import LinkFacts, LinkFinder
from .parallel import StartedMap, forks
from .plan import PageSpec
from .i18n import MissingString, Strings
from .trace import Trace, trace

PARALLEL_MIN = 200  # pages to render before starting worker processes pays off


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file of the finished site; content and links are None when the previous build's bytes
    hold, content is None too when the worker that rendered it staged it (`staged`)."""

    path: str
    key: str
    content: bytes | None
    links: LinkFacts | None = None
    trace: Trace | None = None       # what the page read, when asked for (render_site's `read`)
    staged: str = ""                 # 'staged' or 'same': render_site's `stage` said so in a worker


# ---------------------------------------------------------------------------- templates

@pass_context
def _url(context: Any, path: str) -> str:
    return context["site"].base_path + path


@pass_context
def _abs_url(context: Any, path: str) -> str:
    return context["site"].base_url + path


def _iso(value: datetime) -> str:
    return value.isoformat()


def _json_ld(value: Any) -> Any:
    """JSON for a <script> block, safe against '</script>' in the data."""
    from markupsafe import Markup

    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def make_environment(layouts_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Jinja2 with autoescape on, undefined names as errors, the site's filters (those that
    depend on the page's language are added by Layouts); compiled templates kept in the folder
    `compiled` when given (Jinja2 checks each against its source)."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(layouts_dir),
                                  jinja2.PackageLoader("digest", "templates")])
    env = _Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False, cache_size=-1,
                             bytecode_cache=_bytecode_cache(compiled) if compiled is not None else None)
    env.filters.update(url=_url, abs_url=_abs_url, lang_url=_lang_url, iso=_iso, json_ld=_json_ld, attr=_attr)
    return env


class _Environment(jinja2.Environment):
    """Jinja2's, but a layout that reaches a field of an article that changes with its text, or
    any of its private or special attributes, by whatever name (`item.digest`, `item['dig' ~
    'est']`, `map(attribute=...)`), counts as reading its text (content.text_reads), as reading
    `item.body` does: quick.py then renders that page again when the text changes."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Article and (attribute in TEXT_FIELDS or attribute[:1] == "_"):
            note_text_read(obj.source)
        try:  # jinja2.Environment.getattr, inlined: a layout calls it for every dot
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is Article and isinstance(argument, str) and (argument in TEXT_FIELDS or argument[:1] == "_"):
            note_text_read(obj.source)
        return super().getitem(obj, argument)


@pass_environment
def _attr(environment: jinja2.Environment, obj: Any, name: Any) -> Any:
    """Jinja2's `attr` filter, which before Jinja2 3.1.5 reached attributes without the
    environment's getattr."""
    if type(obj) is Article and isinstance(name, str) and (name in TEXT_FIELDS or name[:1] == "_"):
        note_text_read(obj.source)
    return jinja2.filters.do_attr(environment, obj, name)


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache folder: compile every time
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


@pass_context
def _lang_url(context: Any, path: str) -> str:
    """A path inside the page's language ('tags/' -> '/digest/es/tags/')."""
    site = context["site"]
    return site.base_path + site.home + path


def template_problem(exc: BaseException, layouts_dir: Path) -> Problem:
    """A Problem naming the template file and line of a Jinja error."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found in layouts/"
        name, line = None, None
    else:
        message = f"{type(exc).__name__}: {exc}"
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename and frame.filename.endswith((".html", ".xml", ".txt")):
                name, line = frame.filename, frame.lineno
                break
    shown = "layouts"
    if name:
        path = Path(name)
        try:
            shown = path.resolve().relative_to(layouts_dir.parent.resolve()).as_posix()
        except ValueError:
            shown = f"layouts/{path.name}" if path.is_absolute() else f"layouts/{name}"
    return Problem(shown, line, message)


class Layouts:
    """The compiled layouts of one folder and their fingerprints, both made once until reset,
    with the interface strings the pages show in their own language."""

    def __init__(self, layouts_dir: Path, strings: Strings, compiled: Path | None = None):
        self.folder = layouts_dir
        self.env = make_environment(layouts_dir, compiled)
        self.keys: dict[str, str] = {}
        self.strings = strings
        self.env.globals["t"] = pass_context(lambda context, key, **values: self._text(context, key, **values))
        self.env.filters.update(long_date=pass_context(lambda context, value: self._long_date(context, value)),
                                month_name=pass_context(lambda context, number: self._month_name(context, number)),
                                language_name=pass_context(
                                    lambda context, code: self.strings.language_name(context["site"].language, code)))

    def use_strings(self, strings: Strings) -> None:
        """Take this build's string tables; every page key changes when they did."""
        if strings.version != self.strings.version:
            self.keys = {}
        self.strings = strings

    def template_keys(self, specs: list[PageSpec]) -> dict[str, str]:
        """Fingerprints of every template the specs use; a template that does not parse is an error."""
        wanted = {s.template for s in specs if s.template}
        if not wanted <= self.keys.keys():
            try:
                keys = template_keys_of(self.env, sorted(wanted | self.keys.keys()))
            except (jinja2.TemplateError, OSError) as exc:
                raise SiteError([template_problem(exc, self.folder)]) from None
            self.keys = {name: f"{key}:{self.strings.version}" for name, key in keys.items()}
        return self.keys

    def _text(self, context: Any, key: str, **values: Any) -> str:
        try:
            return self.strings.text(context["site"].language, key, **values)
        except MissingString as exc:
            raise jinja2.UndefinedError(f"{exc.args[0]}: add it there") from None

    def _long_date(self, context: Any, value: datetime) -> str:
        return self.strings.long_date(context["site"].language, value)

    def _month_name(self, context: Any, number: int) -> str:
        return self.strings.month_name(context["site"].language, number)

    def render(self, spec: PageSpec) -> bytes | Problem:
        """One page's bytes, or the template problem that stops it."""
        assert spec.context is not None
        context = {name: getattr(spec.context, name) for name in field_names(type(spec.context))}
        try:
            return self.env.get_template(spec.template).render(context).encode("utf-8")
        except jinja2.TemplateError as exc:
            return template_problem(exc, self.folder)


# ---------------------------------------------------------------------------- rendering

def page_keys(specs: Sequence[PageSpec], layouts: Layouts, shows: dict[int, list[int]] | None = None) -> list[str]:
    """Each planned file's fingerprint, in plan order; `shows`, when given, receives for each
    article shown (by identity) the indexes of the files that show it."""
    templates = layouts.template_keys(specs)
    shared: dict[int, str] = {}
    keys = []
    for i, s in enumerate(specs):
        if s.key or s.data is not None:
            keys.append(s.key or data_key(s.data))  # type: ignore[arg-type]
            continue
        shown: list[Article] | None = [] if shows is not None else None
        keys.append(page_key(templates[s.template], s.context, shared, shown))
        for article in shown or ():
            at = shows.setdefault(id(article), [])  # type: ignore[union-attr]
            if not at or at[-1] != i:
                at.append(i)
    return keys


def render_site(specs: list[PageSpec], layouts: Layouts, previous: Mapping[str, str], base_url: str,
                workers: int = 1, keys: Sequence[str] | None = None, read: Mapping[str, Article] | None = None,
                stage: Callable[[str, bytes], str] | None = None) -> Iterator[OutputFile]:
    """Render each planned file whose key changed since the previous build, in plan order.

    Files are yielded as they are made so a large site is never held in memory whole; with
    many pages, forked workers render and find links while the caller writes. The bytes are
    the same either way. Every template error is collected and raised once, after the last file.
    With `read` (every article as read, by digest) each page rendered carries its Trace. With
    `stage` (output.StagingWriter), a forked worker stages each page it renders itself, unless
    `stage` answers '', and only the page's facts come back (its bytes would take a pipe's time
    twice: 210 MB at 10,000 articles)."""
    finder = LinkFinder(base_url)
    if keys is None and not previous:
        # Nothing to keep (a first build): every page is rendered whatever its key, so the
        # workers start now and the keys are found here meanwhile (a tenth of a second at
        # 10,000 articles that one core no longer spends alone). A layout that does not parse
        # stops the build before they start.
        layouts.template_keys(specs)
        todo = [spec for spec in specs if spec.data is None and not spec.file]
    else:
        keys = page_keys(specs, layouts) if keys is None else keys
        todo = [spec for spec, key in zip(specs, keys)
                if previous.get(spec.path) != key and spec.data is None and not spec.file]
    stage = stage if forks(todo, workers, PARALLEL_MIN) else None

    def render(spec: PageSpec) -> tuple[bytes | str | Problem, LinkFacts | None, Trace | None]:
        with text_reads() as reads:
            content = layouts.render(spec)
        if isinstance(content, Problem):
            return content, None, None
        facts, traced = finder.facts(spec.path, content), None if read is None else trace(spec.context, reads, read)
        return (stage and stage(spec.path, content)) or content, facts, traced

    rendered = StartedMap(render, todo, workers, PARALLEL_MIN)
    if keys is None:
        try:
            keys = page_keys(specs, layouts)
        except BaseException:
            rendered.close()
            raise
    results = iter(rendered)
    problems: dict[Problem, None] = {}
    try:
        for spec, key in zip(specs, keys):
            if previous.get(spec.path) == key:
                yield OutputFile(spec.path, key, None)
            elif spec.data is not None or spec.file:
                data = spec.data if spec.data is not None else Path(spec.file).read_bytes()
                yield OutputFile(spec.path, key, data, finder.facts(spec.path, data))
            else:
                content, links, traced = next(results)
                if isinstance(content, Problem):
                    problems[content] = None
                elif type(content) is str:  # the worker staged it
                    yield OutputFile(spec.path, key, None, links, traced, content)
                else:
                    yield OutputFile(spec.path, key, content, links, traced)
    finally:
        rendered.close()  # the workers stop with the caller (an error writing a file, say)
    if problems:
        raise SiteError(list(problems))
