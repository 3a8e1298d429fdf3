#!/usr/bin/env python3
"""Trunk post-build hook (Trunk.toml [[hooks]]): moves every inline <script> of the built
index.html into its own file, so the page runs under a Content-Security-Policy without
'unsafe-inline' (index.html carries the policy in a <meta http-equiv> tag).

Trunk 0.21 injects its wasm loader as an inline `<script type="module">`; this rewrites it to
`<script type="module" src="loader-HASH.js">` (content-hashed like Trunk's own files). It reads
the staging directory from TRUNK_STAGING_DIR (set by Trunk), or takes it as the first argument.
"""
import hashlib
import os
import re
import sys

staging = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("csp_loader.py: no staging directory (TRUNK_STAGING_DIR unset and no argument)")
html_path = os.path.join(staging, "index.html")
with open(html_path, encoding="utf-8") as f:
    html = f.read()

INLINE = re.compile(r"<script(?P<attrs>(?:(?!\bsrc\s*=)[^>])*)>(?P<body>.*?)</script>", re.S | re.I)
moved = 0


def extract(m):
    global moved
    body = m.group("body")
    if not body.strip():
        return m.group(0)
    # `trunk serve` adds its live-reload script with placeholders it fills in only inside the HTML
    # page it serves; in a file they would stay literal. Fill them in here: the page's own host
    # (the dev server serves the page) and the public URL Trunk gives hooks.
    public_url = os.environ.get("TRUNK_PUBLIC_URL", "/")
    body = body.replace("'{{__TRUNK_ADDRESS__}}'", "window.location.host")
    body = body.replace("'{{__TRUNK_WS_BASE__}}'", "'%s'" % public_url.replace("'", ""))
    name = "loader-%s.js" % hashlib.sha256(body.encode()).hexdigest()[:16]
    with open(os.path.join(staging, name), "w", encoding="utf-8") as out:
        out.write(body.strip() + "\n")
    moved += 1
    return '<script%s src="%s"></script>' % (m.group("attrs"), name)


html = INLINE.sub(extract, html)

# Subresource integrity needs a CORS response to check against. Inside <iframe sandbox> the page's
# origin is opaque, so every request is cross-origin: without crossorigin="anonymous" the browser
# fetches a stylesheet or a classic script (the panic panel's) in no-cors mode and then refuses it.
# (Module scripts and the wasm are always fetched with CORS; docs/embedding.md says which header
# the server must send.)
html = re.sub(
    r"<(link|script)(?![^>]*\bcrossorigin\b)([^>]*\bintegrity=)",
    r'<\1 crossorigin="anonymous"\2',
    html,
)
if re.search(r"<script(?![^>]*\bsrc\s*=)[^>]*>\s*\S", html, re.I):
    sys.exit("csp_loader.py: an inline script is left in index.html")
with open(html_path, "w", encoding="utf-8") as f:
    f.write(html)
print("csp_loader.py: moved %d inline script(s) into files" % moved, file=sys.stderr)
