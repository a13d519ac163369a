// The official Node SDK's OpenAIRealtimeWS (over the `ws` package): one text turn.
// Usage: node openai_ws.mjs BASE_URL  (https://127.0.0.1:PORT/v1; the SDK always uses wss)
// Prints one JSON line: the event types received and the response's status and text.
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';

const [baseURL] = process.argv.slice(2);
const client = new OpenAI({ apiKey: 'test', baseURL });
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, client);
const types = [];
const timer = setTimeout(() => fail(new Error(`timed out after ${JSON.stringify(types)}`)), 15000);

function fail(error) {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
}

rt.on('error', fail);
rt.on('event', (event) => {
  types.push(event.type);
  if (event.type === 'session.created') {
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    rt.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] },
    });
    rt.send({ type: 'response.create' });
  }
  if (event.type === 'response.done') {
    clearTimeout(timer);
    const response = event.response;
    const text = response.output[0]?.content?.[0]?.text ?? null;
    console.log(JSON.stringify({ types, status: response.status, text }));
    rt.close({ code: 1000, reason: 'done' });
  }
});
