"""An independent MCP client: the official Python SDK (`mcp`, pinned in requirements.txt) drives
argocd-mcp the way an agent host would, and prints what it saw as one JSON object. The Rust tests
in host-test/tests/e2e/sdk.rs install the SDK, start the runner and check the output.

Usage: client.py http http://127.0.0.1:PORT/mcp (auto|legacy|approval|listen|steps)
       client.py stdio RUNNER_BINARY (auto|legacy|approval|listen|steps)

`approval` expects a server with ARGOCD_REQUIRE_APPROVAL: it asks for a sync twice, answering the
server's question (elicitation) first with no, then with yes.

`listen` subscribes to two apps (2026-07-28 `subscriptions/listen`), syncs one of them and reads
each app it hears about, until the sync's end is read.

`steps` subscribes to two apps, prints the acknowledgment as one line, waits for a line on stdin
(the test makes the app drift meanwhile), syncs guestbook, and prints every
`notifications/resources/updated` as it arrived on the wire (the SDK's `message_handler` sees
each one, in receive order, before the listen iterator folds them into level triggers) until
guestbook is heard Healthy again, plus any that come in the few seconds after.
"""

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult, PromptReference


async def approval(server) -> dict:
    questions: list = []
    answers = iter(["decline", "accept"])

    async def on_elicitation(context, params):
        questions.append(params.message)
        action = next(answers)
        content = {"approve": True} if action == "accept" else None
        return ElicitResult(action=action, content=content)

    seen: dict = {"results": []}
    async with Client(server, mode="auto", cache=None, elicitation_callback=on_elicitation) as client:
        seen["protocol_version"] = client.protocol_version
        for _ in range(2):
            result = await client.call_tool(
                "sync_argocd_app", {"app_name": "payments", "confirm": True}
            )
            seen["results"].append(
                {"is_error": result.is_error, "text": result.content[0].text,
                 "structured": result.structured_content}
            )
    seen["questions"] = questions
    return seen


GUESTBOOK = "argocd://applications/argocd/guestbook"
PAYMENTS = "argocd://applications/argocd/payments"


async def listen(server) -> dict:
    seen: dict = {"events": [], "reads": []}
    async with Client(server, mode="auto", cache=None) as client:
        seen["protocol_version"] = client.protocol_version
        async with client.listen(resource_subscriptions=[GUESTBOOK, PAYMENTS]) as subscription:
            seen["honored"] = sorted(subscription.honored.resource_subscriptions or [])
            synced = await client.call_tool("sync_argocd_app", {"app_name": "guestbook", "confirm": True})
            seen["sync_error"] = synced.is_error

            async def hear() -> None:
                async for event in subscription:
                    uri = getattr(event, "uri", None)
                    seen["events"].append(uri)
                    if uri is None:
                        continue
                    read = await client.read_resource(uri)
                    status = json.loads(read.contents[0].text)
                    operation = (status.get("operation") or {}).get("phase")
                    health = status["health"]["status"]
                    seen["reads"].append({"uri": uri, "sync": status["sync"]["status"],
                                          "health": health, "operation": operation})
                    if uri == GUESTBOOK and operation == "Succeeded" and health == "Healthy":
                        return

            await asyncio.wait_for(hear(), 60)
    return seen


async def steps(server) -> dict:
    updates: list = []

    async def record(message) -> None:
        # Runs for every notification in receive order; exceptions (transport faults) are kept too.
        if isinstance(message, Exception):
            updates.append({"error": repr(message)})
            return
        if getattr(message, "method", None) == "notifications/resources/updated":
            wire = message.model_dump(by_alias=True, mode="json", exclude_none=True)
            updates.append({"uri": wire["params"]["uri"], "meta": wire["params"].get("_meta", {})})

    def settled() -> bool:
        return any(
            u.get("uri") == GUESTBOOK
            and (u["meta"].get("argocd-mcp/change") or {}).get("health", {}).get("to") == "Healthy"
            for u in updates
        )

    seen: dict = {}
    async with Client(server, mode="auto", cache=None, message_handler=record) as client:
        seen["protocol_version"] = client.protocol_version
        async with client.listen(resource_subscriptions=[GUESTBOOK, PAYMENTS]) as subscription:
            seen["honored"] = sorted(subscription.honored.resource_subscriptions or [])
            seen["subscription_id"] = subscription.subscription_id
            print(json.dumps({"acknowledged": seen["honored"]}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            synced = await client.call_tool("sync_argocd_app", {"app_name": "guestbook", "confirm": True})
            seen["sync_error"] = synced.is_error
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while not settled() and loop.time() < deadline:
                await asyncio.sleep(0.05)
            # Anything told twice, or after the end, would come within these seconds.
            await asyncio.sleep(3)
    seen["updates"] = updates
    return seen


async def main() -> None:
    target, where, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    server = (
        StdioServerParameters(command=where, args=["stdio", "--demo"])
        if target == "stdio"
        else where
    )
    if mode == "approval":
        print(json.dumps(await approval(server)))
        return
    if mode == "listen":
        print(json.dumps(await listen(server)))
        return
    if mode == "steps":
        print(json.dumps(await steps(server)))
        return
    seen: dict = {}
    progress: list = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "total": total, "message": message})

    async with Client(server, mode=mode, cache=None) as client:
        seen["protocol_version"] = client.protocol_version
        seen["server_name"] = client.server_info.name if client.server_info else None
        tools = await client.list_tools()
        seen["tools"] = [tool.name for tool in tools.tools]
        status = await client.call_tool(
            "get_argocd_app_status", {"app_name": "guestbook"}
        )
        seen["status_error"] = status.is_error
        seen["status"] = status.structured_content
        bad = await client.call_tool("get_argocd_app_status", {"app_name": "../etc"})
        seen["bad_name_error"] = bad.is_error
        seen["bad_name_text"] = bad.content[0].text
        synced = await client.call_tool(
            "sync_argocd_app",
            {"app_name": "guestbook", "confirm": True, "wait": True, "timeout_seconds": 60},
            progress_callback=on_progress,
        )
        seen["sync"] = synced.structured_content
        seen["progress"] = progress
        guide = await client.read_resource("argocd-mcp://guides/sync-safety")
        seen["guide_chars"] = len(guide.contents[0].text)
        prompt = await client.get_prompt("triage_app", {"app_name": "guestbook"})
        seen["prompt"] = prompt.messages[0].content.text
        completion = await client.complete(
            PromptReference(type="ref/prompt", name="triage_app"),
            {"name": "app_name", "value": "pay"},
        )
        seen["completion"] = completion.completion.values
    print(json.dumps(seen))


asyncio.run(main())
