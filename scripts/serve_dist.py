#!/usr/bin/env python3
"""Serves a directory like `python3 -m http.server`, plus the one header embedding needs:
`Access-Control-Allow-Origin: *`. Inside <iframe sandbox="allow-scripts"> the app's origin is
opaque, so its module scripts, stylesheets and wasm are cross-origin requests (docs/embedding.md);
static hosts such as GitHub Pages send this header too. Responses are not cached, so a rebuild is
seen at once.

    scripts/serve_dist.py PORT [--bind ADDR] [--directory DIR]
"""
import argparse
import functools
import http.server


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript", ".mjs": "text/javascript"}

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--directory", default=".")
    a = ap.parse_args()
    handler = functools.partial(Handler, directory=a.directory)
    with http.server.ThreadingHTTPServer((a.bind, a.port), handler) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main()
