// @openai/agents-realtime's RealtimeSession over its WebSocket transport, with a tool.
// Usage: node agents_realtime.mjs WS_URL  (ws[s]://127.0.0.1:PORT/v1/realtime?model=gpt-realtime)
// Prints one JSON line: the tool calls made, the tool-end events and the errors seen.
import { RealtimeAgent, RealtimeSession, OpenAIRealtimeWebSocket, tool } from '@openai/agents-realtime';
import { z } from 'zod';

const [url] = process.argv.slice(2);
const calls = [];
const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    calls.push(city);
    return `Sunny in ${city}`;
  },
});
const agent = new RealtimeAgent({ name: 'assistant', instructions: 'Be brief.', tools: [getWeather] });
const session = new RealtimeSession(agent, {
  transport: new OpenAIRealtimeWebSocket({ url }),
  model: 'gpt-realtime',
});
const errors = [];
const toolEnds = [];
let responses = 0;
const timer = setTimeout(() => finish(1, 'timed out'), 20000);

function finish(code, why) {
  clearTimeout(timer);
  console.log(JSON.stringify({ calls, toolEnds, errors, responses, why }));
  session.close();
  process.exit(code);
}

session.on('error', (event) => errors.push(String(event.error?.message ?? event.error ?? event)));
session.on('agent_tool_end', (_context, _agent, tool, result) => toolEnds.push([tool.name, result]));
session.transport.on('*', (event) => {
  if (event.type === 'response.done') {
    responses += 1;
    if (responses >= 2) finish(0, 'two responses');
  }
});
await session.connect({ apiKey: 'test', url });
session.sendMessage('/call get_weather {"city": "Paris"}');
