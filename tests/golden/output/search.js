// The search page's only script: reads ?q= (and &tag=), asks the Pagefind index for this page's
// language, and lists the results as the front page lists articles. Loaded by /search/ only.
const me = document.querySelector("script[data-bundle]");
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const query = (params.get("q") || "").trim();
const tag = params.get("tag") || "";
const status = $("search-status"), list = $("search-results"), none = $("search-none");

$("search-nojs").hidden = true;
$("search-q").value = query;
if ($("search-tag")) $("search-tag").value = tag;

// Pagefind's excerpt is HTML with <mark> around the matches: rebuild it from text nodes only.
function excerpt(html) {
  const p = document.createElement("p");
  const parsed = new DOMParser().parseFromString(html, "text/html").body;
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function item(data, filters) {
  const li = document.createElement("li");
  li.className = "item";
  const h2 = document.createElement("h2");
  h2.className = "item-title";
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = data.meta.title || data.url;
  h2.append(a);
  li.append(h2);
  if (data.meta.date) {
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = data.meta.date;
    li.append(meta);
  }
  li.append(excerpt(data.excerpt));
  return li;
}

// Each result's text is a separate small file: load five at a time, the next five on request.
const PAGE = 5;
const more = $("search-more");

async function show(results) {
  const shown = list.children.length;
  const next = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
  list.append(...next.map(item));
  more.hidden = list.children.length >= results.length;
  if (shown) list.children[shown].querySelector("a").focus();
}

async function run(script) {
  if (!query) return;
  status.textContent = script.dataset.searching;
  try {
    const pagefind = await import(script.dataset.bundle + "pagefind.js");
    await pagefind.options({ basePath: script.dataset.bundle, baseUrl: script.dataset.base,
                             noWorker: true, excerptLength: 24 });
    const found = await pagefind.search(query, tag ? { filters: { tag } } : {});
    await show(found.results);
    more.onclick = () => show(found.results);
    status.textContent = script.dataset.count.replace("{count}", found.results.length);
    none.hidden = found.results.length > 0;
  } catch (error) {
    status.textContent = script.dataset.failed;
  }
}

run(me);
