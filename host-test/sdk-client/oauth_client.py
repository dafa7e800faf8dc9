"""Signs in to argocd-mcp in user mode the way an agent host does, with the official SDK's OAuth
client: it meets the 401, reads the Protected Resource Metadata, discovers the identity provider,
registers itself there (RFC 7591), and runs the authorization-code flow with PKCE. A person would
log in in a browser; here a headless redirect handler fills the provider's login form.

Usage: oauth_client.py http://127.0.0.1:PORT/mcp USER PASSWORD APP

Prints one JSON object: who the server says the agent acts as, and how a sync of APP ended.
"""

import asyncio
import json
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import httpx2
from mcp import Client
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT_URI = "http://127.0.0.1:1/callback"


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class FormFields(HTMLParser):
    """The login form's action and fields, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action", "")
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""


async def main() -> None:
    server_url, user, password, app = sys.argv[1:5]
    seen: dict = {"authorize_urls": []}
    redirect: dict = {}

    async def log_in(authorization_url: str) -> None:
        seen["authorize_urls"].append(authorization_url)
        async with httpx2.AsyncClient() as browser:
            page = await browser.get(authorization_url)
            page.raise_for_status()
            form = FormFields()
            form.feed(page.text)
            form.fields.update({"username": user, "password": password})
            answer = await browser.post(form.action, data=form.fields)
            if answer.status_code != 302:
                raise RuntimeError(f"login answered {answer.status_code}: {answer.text}")
            redirect["location"] = answer.headers["location"]

    async def callback() -> AuthorizationCodeResult:
        query = parse_qs(urlparse(redirect["location"]).query)
        return AuthorizationCodeResult(code=query["code"][0], state=query.get("state", [None])[0])

    storage = MemoryStorage()
    auth = OAuthClientProvider(
        server_url=server_url,
        client_metadata=OAuthClientMetadata(
            client_name="argocd-mcp test agent",
            redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=log_in,
        callback_handler=callback,
    )
    async with httpx2.AsyncClient(auth=auth, timeout=30) as http:
        async with Client(streamable_http_client(server_url, http_client=http), mode="auto", cache=None) as client:
            seen["protocol_version"] = client.protocol_version
            info = await client.call_tool("get_argocd_server_info", {})
            seen["info"] = info.structured_content
            sync = await client.call_tool("sync_argocd_app", {"app_name": app, "confirm": True})
            seen["sync"] = {"is_error": sync.is_error, "text": sync.content[0].text}
    seen["registered_client"] = storage.client_info.client_id if storage.client_info else None
    seen["scope"] = storage.tokens.scope if storage.tokens else None
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main())
