"""A Python function as a tool: the client declares it, runs it and lets the model go on."""

import asyncio

from openrealtime.client import RealtimeClient
from openrealtime.server import ModelRegistry, ServerConfig, running


async def main() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with running(config) as url:
        rt = RealtimeClient(str(url), model="gpt-realtime", session={"output_modalities": ["text"]})

        @rt.tool
        def get_weather(city: str, unit: str = "celsius") -> dict[str, object]:
            """The current weather in a city."""
            return {"city": city, "temperature": 21, "unit": unit}

        async with rt:
            # The scripted engine calls a tool when told "/call NAME {json}".
            item = await rt.send_text('/call get_weather {"city": "Paris"}')
            print("assistant:", item.text)
            call = next(i for i in rt.conversation.items if i.type == "function_call")
            print("the model called", call.name, "with", call.arguments)
    assert item.text.startswith("Tool get_weather returned: ")
    assert '"temperature":21' in item.text


if __name__ == "__main__":
    asyncio.run(main())
