"""What `sitegen serve` adds to HTML responses: the reload script and the error overlay.

Only the preview server calls this, on the bytes it is about to send; files on disk are never
touched, so `public/` stays exactly what `sitegen build` wrote (issue 8).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

RESERVED = "__sitegen__/"
"""Path prefix, under the base path, of the server's own endpoints (script and event stream)."""

OVERLAY_ID = "sitegen-overlay"

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

# Browsers run this in the served page. The server sends one `build` event per finished build
# (good or failed); the event id is "<server id>:<generation>", so a reconnecting EventSource
# sends Last-Event-ID and the server replays what this page missed.
SCRIPT = r"""(() => {
  "use strict";
  const me = document.currentScript;
  const page = me.dataset.page;
  const base = me.dataset.base;
  const overlayId = "OVERLAY_ID";

  function showProblems(problems) {
    let box = document.getElementById(overlayId);
    if (!problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;margin:0;padding:1em 1.5em;background:#3b0d0d;color:#fff;" +
        "font:14px/1.5 ui-monospace,monospace;border-top:4px solid #e5484d";
      document.body.appendChild(box);
    }
    // textContent, never innerHTML: the messages quote user files.
    box.replaceChildren();
    const head = document.createElement("strong");
    head.textContent = "sitegen: the last rebuild failed; this is the last good site";
    box.appendChild(head);
    const list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:.5em 0 0";
    list.textContent = problems.join("\n");
    box.appendChild(list);
  }

  function absolute(path) {
    return new URL(base + path, location.href).href;
  }

  function swapStylesheets(stamp) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      const url = new URL(link.getAttribute("href"), location.href);
      url.searchParams.set("sitegen", stamp);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  }

  function usesAsset(changedUrls) {
    for (const el of document.querySelectorAll("[src]")) {
      const url = new URL(el.getAttribute("src"), location.href);
      url.search = "";
      if (changedUrls.has(url.href)) return true;
    }
    return false;
  }

  function onBuild(event) {
    const data = JSON.parse(event.data);
    showProblems(data.problems);
    if (data.reload_all || data.changed.includes(page)) {
      location.reload();
      return;
    }
    const urls = new Set(data.changed.map(absolute));
    if (usesAsset(urls)) {
      location.reload();
      return;
    }
    if (data.changed.some((p) => p.endsWith(".css"))) swapStylesheets(event.lastEventId);
  }

  const since = me.dataset.since;
  const source = new EventSource(base + "RESERVEDevents?since=" + encodeURIComponent(since));
  source.addEventListener("build", onBuild);
  // For tests and curious users: "open" once builds can reach this page.
  source.addEventListener("open", () => { window.sitegenPreview = "open"; });
  source.addEventListener("error", () => { window.sitegenPreview = "reconnecting"; });
  window.addEventListener("pagehide", () => source.close());
  // Back from the back-forward cache, the stream was closed: builds may have been missed.
  window.addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
})();
""".replace("OVERLAY_ID", OVERLAY_ID).replace("RESERVED", RESERVED)


def overlay_html(problems: Sequence[str]) -> str:
    """The overlay as the server renders it into a page fetched while the build is broken."""
    items = "\n".join(html.escape(p) for p in problems)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;inset:auto 0 0 0;'
        "max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;"
        "background:#3b0d0d;color:#fff;font:14px/1.5 ui-monospace,monospace;"
        'border-top:4px solid #e5484d"><strong>sitegen: the last rebuild failed; this is the '
        'last good site</strong><pre style="white-space:pre-wrap;margin:.5em 0 0">'
        f"{items}</pre></div>"
    )


def inject(document: bytes, *, base: str, page: str, since: str, problems: Sequence[str]) -> bytes:
    """`document` with the reload script (and the overlay, if any) inserted before `</body>`."""
    attrs = " ".join(
        f'data-{name}="{html.escape(value)}"'
        for name, value in (("base", base), ("page", page), ("since", since))
    )
    snippet = f'<script src="{html.escape(base)}{RESERVED}livereload.js" {attrs}></script>'
    if problems:
        snippet = overlay_html(problems) + snippet
    encoded = snippet.encode("utf-8")
    ends = list(_BODY_END.finditer(document))
    if not ends:
        return document + encoded
    at = ends[-1].start()
    return document[:at] + encoded + document[at:]
