"""Serves LocalStorage files to whoever holds a signed link (a user's browser, Replicate).

Without Supabase the files live under DATA_DIR, and this route on the bot's web server is
the only way in: the link's HMAC must match its bucket, key and expiry, and the expiry must
not have passed. Anything else is 403, so keys cannot be guessed or links extended.
"""

from __future__ import annotations

from aiohttp import web

from services.adapters.storage import LocalStorage, StorageError, content_type_of

FILES_PATH = "/files/{bucket}/{key:.+}"


def local_files_route(storage: LocalStorage) -> web.RouteDef:
    """`GET /files/{bucket}/{key}?expires=&signature=` for the given local store."""

    async def serve_file(request: web.Request) -> web.Response:
        bucket, key = request.match_info["bucket"], request.match_info["key"]
        try:
            expires = int(request.query.get("expires", ""))
        except ValueError:
            raise web.HTTPForbidden(text="invalid or expired link") from None
        if not storage.verify(bucket, key, expires, request.query.get("signature", "")):
            raise web.HTTPForbidden(text="invalid or expired link")
        try:
            data = await storage.read(bucket, key)
        except StorageError:
            raise web.HTTPNotFound(text="no such file") from None
        return web.Response(
            body=data,
            content_type=content_type_of(data),
            # Private: a shared cache must not keep a file meant for one link holder.
            headers={"Cache-Control": "private", "X-Content-Type-Options": "nosniff"},
        )

    return web.get(FILES_PATH, serve_file)
