"""A migrated post's body: the old generator's base-URL idioms and its links to the old site rewritten
to links relative to the post's new page, and every construct our build cannot run left in place
and listed with its file and line."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .aliases import built_by_us
from .records import JEKYLL, Leftover
from .urls import address_key, page_link

_LIQUID = re.compile(r"""
    (?P<raw>\{%-?\s*raw\s*-?%\}(?P<raw_body>.*?)\{%-?\s*endraw\s*-?%\})
  | (?P<hl>\{%-?\s*highlight\s+(?P<lang>[^\s%]+)[^%]*?-?%\}(?P<code>.*?)\{%-?\s*endhighlight\s*-?%\})
  | (?P<base>(?:\{\{-?\s*site\.url\s*-?\}\})?\{\{-?\s*site\.baseurl\s*-?\}\}|\{\{-?\s*site\.url\s*-?\}\})
    (?P<rest>\{%-?\s*(?:post_url|link)\s[^%]*?-?%\}|[^\s"'()<>\[\]{}]*)
  | (?P<out>\{\{-?(?P<out_body>.*?)-?\}\})
  | (?P<tag>\{%-?(?P<tag_body>.*?)-?%\})
""", re.DOTALL | re.VERBOSE)
_URL_FILTER = re.compile(r"""\s*(["'])(?P<path>[^"']*)\1\s*\|\s*(?:relative_url|absolute_url)\s*""")
_LINK_TAG = re.compile(r"\{%-?\s*(?P<name>post_url|link)\s+(?P<arg>[^%]*?)\s*-?%\}", re.DOTALL)

_SHORTCODE = re.compile(r"""
    (?P<esc>\{\{(?P<esc_open>[<%])/\*(?P<esc_body>.*?)\*/(?P<esc_close>[>%])\}\})
  | (?P<hl>\{\{[<%]\s*highlight\s+"?(?P<lang>[^\s>%"]+)"?[^>%]*?[>%]\}\}(?P<code>.*?)
       \{\{[<%]\s*/highlight\s*[>%]\}\})
  | (?P<ref>\{\{[<%]\s*(?:rel)?ref\s+(?P<ref_args>.*?)\s*[>%]\}\})
  | (?P<fig>\{\{<\s*figure\s+(?P<fig_args>.*?)\s*/?>\}\})
  | (?P<url>\{\{-?\s*(?:(?P<q>["'])(?P<u1>[^"']*)(?P=q)\s*\|\s*(?:absURL|relURL)
                     |(?:absURL|relURL)\s+(?P<q2>["'])(?P<u2>[^"']*)(?P=q2))\s*-?\}\})
  | (?P<sc>\{\{[<%].*?[>%]\}\})
""", re.DOTALL | re.VERBOSE)
_ARGUMENT = re.compile(r"""(?:(?P<key>\w+)\s*=\s*)?(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))""")
_CLOSING = re.compile(r"^\{[%{][<%]?-?\s*(?:/|end\w*\b|else\b|elsif\b|when\b)")

# Left alone by the plain-link pass: fenced code, and template constructs (their own pass reads them).
_PROTECTED = re.compile(r"^(?P<f>```+|~~~+).*?^(?P=f)[ \t]*$|\{\{[<%].*?[>%]\}\}|\{%.*?%\}",
                        re.MULTILINE | re.DOTALL)
_PLAIN_LINK = re.compile(r"""
    (?P<md>\]\(\s*<?)(?P<md_url>[^)\s>]+)
  | (?P<ref>^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?)(?P<ref_url>[^\s>]+)
  | (?P<attr>\b(?:href|src)\s*=\s*["'])(?P<attr_url>[^"'\s]+)
""", re.MULTILINE | re.VERBOSE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class LinkMap:
    """What rewriting any body needs to know about the whole migration."""

    generator: str
    base_path: str                   # the old site's base path: '/' or '/blog/'
    url: str                         # the old site's scheme and host, 'https://example.org', or ''
    by_address: Mapping[str, str]    # address_key(old address) -> our page's folder, or a bundle file's path
    by_name: Mapping[str, str]       # 'post_url:2014-09-08-x', 'link:about.md', 'ref:posts/x' -> our folder
    files: frozenset[str] = frozenset()   # what static/ will hold, from the site root: 'assets/a.png'


@dataclass(slots=True)
class _Body:
    """One body being rewritten: where its page is, and what was left for review."""

    links: LinkMap
    source: str                      # the old file, for leftovers
    first_line: int                  # the old file's line of the body's first line
    text: str
    page: str                        # our page's folder: '2014/09/x/'
    old_url: str
    folder: str                      # the old file's folder, for relative Hugo refs
    leftovers: list[Leftover] = field(default_factory=list)

    def line(self, position: int) -> int:
        """The old file's line number at a position in the body."""
        return self.first_line + self.text.count("\n", 0, position)

    def leave(self, match: re.Match[str], why: str = "") -> str:
        """Keep a construct as written and list it for review (closing tags are not listed twice)."""
        found = match.group()
        if not _CLOSING.match(found):
            shown = " ".join(found.split())
            shown = shown if len(shown) <= 48 else shown[:45] + "..."
            self.leftovers.append(Leftover(self.source, self.line(match.start()), shown + (f" ({why})" if why else "")))
        return found


def rewrite_body(links: LinkMap, source: str, first_line: int, body: str, page: str, old_url: str,
                 folder: str) -> tuple[str, tuple[Leftover, ...]]:
    """The body with every idiom and old-site link made a link our build resolves, and what was left."""
    state = _Body(links, source, first_line, _rewrite_plain_links(body, page, old_url, links), page, old_url, folder)
    pattern, handle = (_LIQUID, _liquid) if links.generator == JEKYLL else (_SHORTCODE, _shortcode)
    text = pattern.sub(lambda m: handle(state, m), state.text)
    return text, tuple(state.leftovers)


def _rewrite_plain_links(body: str, page: str, old_url: str, links: LinkMap) -> str:
    """Markdown and HTML links to the old site (root-relative, to its host, or to another post) made
    relative to our page, outside fenced code and template constructs."""
    def link(match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        url = match.group(kind)
        local = local_link(url, page, old_url, links, relative=True)
        return match.group(kind.removesuffix("_url")) + (url if local is None else local)

    pieces, last = [], 0
    for kept in _PROTECTED.finditer(body):
        pieces += [_PLAIN_LINK.sub(link, body[last:kept.start()]), kept.group()]
        last = kept.end()
    return "".join(pieces) + _PLAIN_LINK.sub(link, body[last:])


def local_link(url: str, page: str, old_url: str, links: LinkMap, relative: bool = False) -> str | None:
    """A link to the old site made relative to our page, or None when it is not one (another host,
    an anchor, mail). A relative link is rewritten only when it reaches another migrated post; an
    address on the old site that nothing migrated answers stays a link to the old site's host."""
    if url.startswith(("#", "//")) or (url.startswith("{") and "}" in url):
        return None
    base = links.url + links.base_path
    if links.url and url.startswith(base):
        url = "/" + url[len(base):]
    elif _SCHEME.match(url):
        return None
    path, _, fragment = url.partition("#")
    if path.startswith("/"):
        if links.base_path != "/" and path.startswith(links.base_path):
            path = "/" + path[len(links.base_path):]
    elif relative:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(old_url) or "/", path)) + \
            ("/" if path.endswith("/") else "")
        if address_key(path) not in links.by_address:
            return None
    else:
        path = "/" + path
    key = address_key(path)
    if key in links.by_address:
        return page_link(page, links.by_address[key], fragment)
    if links.url and path.lstrip("/") not in links.files and not built_by_us(key):
        return links.url + links.base_path + path.lstrip("/") + (f"#{fragment}" if fragment else "")
    return page_link(page, path.lstrip("/"), fragment)


# --- Jekyll: Liquid ---------------------------------------------------------------------------------

def _liquid(state: _Body, match: re.Match[str]) -> str:
    """One Liquid construct: rewritten when it is a base-URL idiom or a link tag, else left."""
    if match.group("raw") is not None:
        return match.group("raw_body")      # our build runs no Liquid: the text is already as shown
    if match.group("hl") is not None:
        return _fenced(match.group("lang"), match.group("code"))
    if match.group("base") is not None:
        rest = match.group("rest")
        tag = _LINK_TAG.fullmatch(rest)
        if tag:
            return _named_link(state, match, tag.group("name"), tag.group("arg"))
        return local_link("/" + rest.lstrip("/"), state.page, state.old_url, state.links) or rest
    if match.group("out") is not None:
        filtered = _URL_FILTER.fullmatch(match.group("out_body"))
        if filtered:
            path = filtered.group("path")
            return local_link("/" + path.lstrip("/"), state.page, state.old_url, state.links) or path
        return state.leave(match)
    tag = _LINK_TAG.fullmatch(match.group())
    if tag:
        return _named_link(state, match, tag.group("name"), tag.group("arg"))
    return state.leave(match)


def _named_link(state: _Body, match: re.Match[str], name: str, arg: str) -> str:
    """{% post_url 2014-09-08-x %} or {% link _posts/x.md %}: the link to that post's new page."""
    arg = arg.strip().strip("\"'")
    path, _, fragment = arg.partition("#")
    if "{{" in path:
        return state.leave(match, "a link made from a variable")
    keys = [f"{name}:{path.strip('/')}", f"{name}:{path.strip('/').rsplit('/', 1)[-1]}"]
    target = next((state.links.by_name[k] for k in keys if k in state.links.by_name), None)
    if target is None and name == "link":
        target = state.links.by_address.get(address_key(path), path.strip("/"))  # a static file keeps its path
    if target is None:
        return state.leave(match, "names no post")
    return page_link(state.page, target, fragment)


def _fenced(lang: str, code: str) -> str:
    """A highlight block as a fenced code block, newlines kept."""
    start = "" if code.startswith("\n") else "\n"
    end = "" if code.endswith("\n") else "\n"
    return f"```{lang}{start}{code}{end}```"


# --- Hugo: shortcodes -------------------------------------------------------------------------------

def _shortcode(state: _Body, match: re.Match[str]) -> str:
    """One shortcode: ref, relref, figure, highlight and URL functions rewritten, others left."""
    if match.group("esc") is not None:     # {{</* x */>}} is how Hugo shows a shortcode as text
        return "{{" + match.group("esc_open") + match.group("esc_body") + match.group("esc_close") + "}}"
    if match.group("hl") is not None:
        return _fenced(match.group("lang"), match.group("code"))
    if match.group("ref") is not None:
        return _ref(state, match)
    if match.group("fig") is not None:
        return _figure(state, match.group("fig_args"))
    if match.group("url") is not None:
        path = match.group("u1") if match.group("u1") is not None else match.group("u2")
        return local_link("/" + path.lstrip("/"), state.page, state.old_url, state.links) or path
    return state.leave(match)


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    """A shortcode's positional and named arguments."""
    positional, named = [], {}
    for arg in _ARGUMENT.finditer(text):
        value = next(v for v in (arg.group("dq"), arg.group("sq"), arg.group("bare"), "") if v is not None)
        if arg.group("key"):
            named[arg.group("key")] = value
        else:
            positional.append(value)
    return positional, named


def _ref(state: _Body, match: re.Match[str]) -> str:
    """{{< ref "x.md" >}} or relref: the link to that page's new address."""
    positional, named = _arguments(match.group("ref_args"))
    wanted = named.get("path") or next((p for p in positional if p != "."), "")
    path, _, fragment = wanted.partition("#")
    if not path:  # '#anchor' alone is this page
        return "#" + fragment if fragment else state.leave(match, "names no page")
    stem = re.sub(r"\.(md|markdown|html)$", "", path.strip("/"))
    candidates = [stem] if path.startswith("/") else [posixpath.normpath(posixpath.join(state.folder, stem)), stem]
    candidates += [c.removesuffix("/index") for c in candidates] + ["base:" + stem.rsplit("/", 1)[-1]]
    target = next((state.links.by_name[f"ref:{c}"] for c in candidates if f"ref:{c}" in state.links.by_name), None)
    if target is None:
        return state.leave(match, "names no migrated page")
    return page_link(state.page, target, fragment)


def _figure(state: _Body, args: str) -> str:
    """{{< figure src=... >}} as the HTML Hugo made of it."""
    _, named = _arguments(args)
    src = named.get("src", "")
    src = local_link(src, state.page, state.old_url, state.links, relative=True) or src
    attribute: Callable[[str], str] = lambda value: html.escape(value, quote=True)
    image = f'<img src="{attribute(src)}" alt="{attribute(named.get("alt", named.get("caption", "")))}">'
    if named.get("link"):
        link = local_link(named["link"], state.page, state.old_url, state.links, relative=True) or named["link"]
        image = f'<a href="{attribute(link)}">{image}</a>'
    caption = named.get("caption") or named.get("title") or ""
    caption_html = f"<figcaption>{html.escape(caption, quote=False)}</figcaption>" if caption else ""
    return f"<figure>{image}{caption_html}</figure>"
