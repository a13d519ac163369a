"""openrealtime.client against an in-process openrealtime server: a text turn, and the mirror."""

import asyncio

from openrealtime.client import RealtimeClient
from openrealtime.server import ModelRegistry, ServerConfig, running


async def main() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with (
        running(config) as url,
        RealtimeClient.connect(str(url), model="gpt-realtime", api_key="local") as rt,
    ):
        await rt.update_session(instructions="Be brief.", output_modalities=["text"])
        item = await rt.send_text("Hello")
        print("assistant:", item.text)
        for each in rt.conversation.items:
            print(f"  {each.role:9} {each.status:9} {each.text}")
    assert item.text == "You said: Hello"
    assert [each.role for each in rt.conversation.items] == ["user", "assistant"]


if __name__ == "__main__":
    asyncio.run(main())
