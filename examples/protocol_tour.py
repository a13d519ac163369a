"""A tour of openrealtime.protocol: parse, build and serialize events in both dialects."""

from openrealtime.protocol import ProtocolError, beta, ga, translate


def main() -> None:
    # The seed's dialect: parse a client event and write it back byte for byte.
    frame = '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"AAAA"}'
    event = beta.ClientEvent.parse(frame)
    assert isinstance(event, beta.InputAudioBufferAppendEvent)
    assert event.to_text() == frame
    print("beta append:", repr(event))

    # Build GA events with the constructors users need most.
    append = ga.InputAudioBufferAppendEvent.from_pcm16(b"\x00\x00" * 2400)
    create = ga.ConversationItemCreateEvent.user_text("What's the weather in Paris?")
    output = ga.ConversationItemCreateEvent.function_call_output("call_1", {"temp_c": 21})
    for built in (append, create, output):
        print("ga:", built.to_text()[:100])

    # Strict parsing reports OpenAI's error, ready to become an `error` event.
    try:
        ga.ClientEvent.parse('{"type":"session.update","event_id":"e1","session":{}}')
    except ProtocolError as error:
        print("error:", error.to_dict())
        assert error.code == "missing_required_parameter"
        assert error.param == "session.type"

    # Translate a beta session.update to the GA shape, and back.
    update = beta.ClientEvent.parse(
        '{"type":"session.update","session":{"voice":"verse","input_audio_format":"g711_ulaw"}}'
    )
    ga_update = translate.client_event_to_ga(update)
    print("beta -> ga:", ga_update.to_text())
    assert translate.client_event_to_beta(ga_update).to_text() == update.to_text()

    # Server events parse leniently: a newer server's event never crashes a client.
    unknown = ga.ServerEvent.parse('{"type":"vendor.custom","event_id":"event_1","x":1}')
    print("unknown:", type(unknown).__name__, unknown.to_text())


if __name__ == "__main__":
    main()
