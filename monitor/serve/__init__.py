"""`monitor serve`: pages for analysts and an HTTP API, beside the daemon on one database.

`app` builds the Starlette application; `api` holds the JSON endpoints, `pages` the HTML
ones, `security` who may read and write. Needs the `serve` extra (Starlette, uvicorn,
Jinja2).
"""
