"""The official OpenAI SDK against an in-process openrealtime server: one text turn."""

import asyncio

from openai import AsyncOpenAI

from openrealtime.server import ModelRegistry, ServerConfig, running


async def main() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with running(config) as url:
        client = AsyncOpenAI(api_key="local", base_url=url.http, websocket_base_url=str(url))
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Hello, server!"}],
                }
            )
            await conn.response.create()
            text = ""
            async for event in conn:
                if event.type == "response.output_text.delta":
                    text += event.delta
                if event.type == "response.done":
                    break
    print(text)
    assert text == "You said: Hello, server!"


if __name__ == "__main__":
    asyncio.run(main())
