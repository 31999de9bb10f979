"""s3fs's HTTP session for object stores, with every upload bounded by the read timeout.

Its own module so that aiobotocore (and aiohttp under it), slow to import, load only where a
client for an object store is made (:meth:`ClientTimeouts.object_store_path`), not when the
definitions of a deployment without one load.
"""

from aiobotocore.httpsession import AIOHTTPSession


class BoundedAIOHTTPSession(AIOHTTPSession):
    """s3fs's HTTP session, sending request bodies without ``Expect: 100-continue``.

    botocore asks for the interim ``100 Continue`` answer before every upload, and aiohttp waits
    for it with no timer (its read timeout starts only once the body is sent): against a server
    that accepts and never answers, an upload would wait forever. Sent at once, the body is
    followed by the read timeout like every other request.
    """

    async def send(self, request):
        request.headers.pop("Expect", None)
        return await super().send(request)
